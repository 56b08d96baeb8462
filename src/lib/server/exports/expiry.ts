// How long an export lives: 下载管理 keeps a finished export's file for 7 days, then the hourly
// upkeep deletes it and the row says EXPIRED.
import { sql } from 'kysely';
import type { Db } from '#db';
import type { FileWriter } from '../files/index.ts';
import type { BuildLease } from '../leased-build.ts';

/** The life of a finished export's file, as an SQL interval. */
export const EXPORT_TTL = '7 days';

/** Finishes an export's file and marks the export READY; the file and the row expire together. */
export async function completeExport(lease: BuildLease<'exports'>, writer: FileWriter, rows: number): Promise<{ rows: number; fileId: bigint }> {
	await lease.complete(async (tx) => {
		const file = await writer.finish(tx);
		await tx.updateTable('files').set({ expires_at: sql`now() + ${EXPORT_TTL}::interval` }).where('id', '=', file.fileId).execute();
		return { file_id: file.fileId, rows_done: BigInt(rows), rows_total: BigInt(rows), expires_at: sql<Date>`now() + ${EXPORT_TTL}::interval` };
	});
	return { rows, fileId: writer.fileId };
}

/** Deletes the files of expired exports and marks them EXPIRED; returns how many. */
export async function expireExports(db: Db): Promise<number> {
	return db.transaction().execute(async (tx) => {
		const gone = await tx
			.updateTable('exports')
			.set({ status: 'EXPIRED' })
			.where('status', '=', 'READY')
			.where('expires_at', '<=', sql<Date>`now()`)
			.returning(['id', 'file_id'])
			.execute();
		const fileIds = gone.map((g) => g.file_id).filter((f): f is bigint => f !== null);
		if (fileIds.length) await tx.deleteFrom('files').where('id', 'in', fileIds).execute();
		return gone.length;
	});
}
