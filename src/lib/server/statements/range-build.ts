// Builds a range statement (an exports row of kind STATEMENT_RANGE_EXPORT, claimed by the
// 'exports.build' job's lease in exports/build.ts). Like a day's build it closes the books
// through the range's last day first, so what it reads is final and equals the day statements;
// then it reads the range's 汇总 and 余额核对 (SQL aggregates) and streams the rows from COPY into
// the one file asked for, never holding them in memory. The file and the READY row commit
// together and the file expires with the other exports.
import type { Selectable } from 'kysely';
import type { Db } from '#db';
import type { DB } from '#db/types.ts';
import { translate } from '#shared/i18n/messages.ts';
import { closeDay } from '#shared/server/ledger/index.ts';
import { completeExport } from '../exports/expiry.ts';
import { CSV_TYPE, getFilePool, openFileWriter, XLSX_TYPE, type FileWriter } from '../files/index.ts';
import type { BuildLease } from '../leased-build.ts';
import { readSummary } from './build.ts';
import { rangeOfExport } from './ranges.ts';
import { writeStatementCsv, writeStatementXlsx } from './writer.ts';

/** 对账单_<merchant no>_<from>_<to>.csv / .xlsx */
export function statementRangeFileName(merchantNo: string, from: string, to: string, ext: 'csv' | 'xlsx'): string {
	return `${translate('zh-CN', 'statements.fileName')}_${merchantNo}_${from}_${to}.${ext}`;
}

export async function buildStatementRange(db: Db, claimed: Selectable<DB['exports']>, lease: BuildLease<'exports'>): Promise<{ rows: number; fileId: bigint }> {
	const period = rangeOfExport(claimed.filter);
	const merchantId = claimed.merchant_id;
	const merchant = await db.selectFrom('merchants').select('merchant_no').where('id', '=', merchantId).executeTakeFirstOrThrow();
	// Closed first (as a day's build does): no posting lands on these days from here on.
	await closeDay(db, merchantId, period.to);
	const summary = await readSummary(db, merchantId, period);
	await db.updateTable('exports').set({ rows_total: summary.rows }).where('id', '=', claimed.id).where('lease_owner', '=', lease.owner).execute();

	const csv = claimed.format === 'CSV';
	let writer: FileWriter | undefined;
	let failure: Error | undefined;
	const client = await getFilePool().connect();
	try {
		await client.query(`SET work_mem = '64MB'`);
		writer = await openFileWriter(db, {
			merchantId,
			name: statementRangeFileName(merchant.merchant_no, period.from, period.to, csv ? 'csv' : 'xlsx'),
			contentType: csv ? CSV_TYPE : XLSX_TYPE
		});
		const rows = csv
			? await writeStatementCsv(client, writer.stream, merchantId, period, summary, lease.progress)
			: await writeStatementXlsx(client, writer.stream, merchantId, period, summary, async (done) => lease.progress(done));
		return await completeExport(lease, writer, rows);
	} catch (err) {
		failure = err instanceof Error ? err : new Error(String(err));
		await writer?.abort().catch(() => {});
		throw err;
	} finally {
		if (!failure) await client.query('RESET work_mem').catch((e: Error) => (failure = e));
		// A COPY cut off by an error leaves the connection unusable: discard it then.
		client.release(failure);
	}
}
