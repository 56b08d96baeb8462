// A downloadable file of a chosen size for the fault tests: stored through the files module and
// attached to a READY export of the demo admin, so /files/<id> serves it with every check.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type { Db } from '#db';
import { openFileWriter } from '#shared/server/files/index.ts';
import { DEMO } from '../e2e/helpers.ts';

export interface Download {
	fileId: bigint;
	size: number;
	sha256: string;
}

export async function demoAdmin(db: Db): Promise<{ merchantId: bigint; staffId: bigint }> {
	const r = await db
		.selectFrom('staff')
		.innerJoin('merchants', 'merchants.id', 'staff.merchant_id')
		.select(['staff.id as staffId', 'merchants.id as merchantId'])
		.where('merchants.merchant_no', '=', DEMO.merchantNo)
		.where('staff.phone', '=', DEMO.phone)
		.executeTakeFirstOrThrow();
	return r;
}

export async function storeDownload(db: Db, bytes: number): Promise<Download> {
	const { merchantId, staffId } = await demoAdmin(db);
	const content = randomBytes(bytes);
	const writer = await openFileWriter(db, { merchantId, name: `fault_${bytes}.csv`, contentType: 'text/csv; charset=utf-8' });
	await pipeline(Readable.from([content]), writer.stream);
	const stored = await writer.finish(db);
	await db
		.insertInto('exports')
		.values({
			merchant_id: merchantId,
			staff_id: staffId,
			list_key: 'payments',
			format: 'CSV',
			columns: [],
			status: 'READY',
			file_id: stored.fileId,
			rows_done: 0n,
			finished_at: sql`now()`,
			expires_at: sql`now() + interval '1 day'`
		})
		.execute();
	return { fileId: stored.fileId, size: bytes, sha256: createHash('sha256').update(content).digest('hex') };
}

/** Reads a download to the end, `pauseMs` between pieces; its bytes' SHA-256 and length. */
export async function readAll(res: Response, pauseMs = 0, onPiece?: (n: number) => Promise<void> | void): Promise<{ sha256: string; size: number }> {
	const hash = createHash('sha256');
	let size = 0;
	let n = 0;
	const reader = res.body!.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		hash.update(value);
		size += value.length;
		await onPiece?.(++n);
		if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
	}
	return { sha256: hash.digest('hex'), size };
}
