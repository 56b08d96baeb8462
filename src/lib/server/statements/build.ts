// Builds one statement (the 'statements.build' job). The statements row is the truth: a
// build first claims it with a lease, so two workers never build the same statement at once;
// it closes the merchant's books through its day (no posting lands on it afterwards,
// ledger/close.ts) and only then reads; both files are written, then the files become
// complete and the row READY in one transaction — a killed build leaves nothing visible and is
// simply built again. The 汇总 queries run beside the one COPY that writes both files (each
// file needs the summary only after its rows): the day's rows are read, formatted and sorted
// once, not once per file (two row queries on two connections competed for the 2 cores).
import { sql } from 'kysely';
import type { Db } from '#db';
import { translate } from '#shared/i18n/messages.ts';
import { CSV_TYPE, getFilePool, openFileWriter, XLSX_TYPE, type FileWriter } from '../files/index.ts';
import { closeDay } from '#shared/server/ledger/index.ts';
import { runLeasedBuild, type BuildOptions, type LeasedBuildOutcome } from '../leased-build.ts';
import { reconciliationSql, statementSummarySql, type StatementPeriod } from './query.ts';
import { writeStatementFiles, type StatementSummary } from './writer.ts';

export const STATEMENT_LEASE_MS = Number(process.env.STATEMENT_LEASE_MS ?? 30_000);

export type BuildOutcome = LeasedBuildOutcome<{ rows: number; csvFileId: bigint; xlsxFileId: bigint }>;

/** The file name people see: 对账单_<merchant no>_<date>.csv / .xlsx */
export function statementFileName(merchantNo: string, accountingDate: string, ext: 'csv' | 'xlsx'): string {
	return `${translate('zh-CN', 'statements.fileName')}_${merchantNo}_${accountingDate}.${ext}`;
}

/** The 汇总 by direction and the balance reconciliation of (merchant, day or period), in fen. */
export async function readSummary(db: Db, merchantId: bigint, accountingDate: string | StatementPeriod): Promise<StatementSummary & { rows: bigint }> {
	const [g, b] = await Promise.all([
		sql<{ kind: number; txn_type: string; rows: bigint; amount: bigint; fee: bigint }>`${sql.raw(statementSummarySql(merchantId, accountingDate))}`.execute(db),
		sql<{ account_type: string; opening: bigint; credits: bigint; debits: bigint; closing: bigint }>`${sql.raw(
			reconciliationSql(merchantId, accountingDate)
		)}`.execute(db)
	]);
	const groups = g.rows.map((x) => ({ kind: Number(x.kind), txnType: x.txn_type, rows: x.rows, amount: x.amount, fee: x.fee }));
	return {
		groups,
		balances: b.rows.map((x) => ({ accountType: x.account_type, opening: x.opening, credits: x.credits, debits: x.debits, closing: x.closing })),
		rows: groups.reduce((n, r) => n + r.rows, 0n)
	};
}

/** The day's rows are sorted in one go: in memory rather than on disk. JIT compiling the
 * cell expressions costs more (~0.1 s a query) than it saves on ~45k rows. */
const ROWS_SETTINGS = `SET work_mem = '64MB'; SET jit = off`;
const ROWS_RESET = 'RESET work_mem; RESET jit';

export async function buildStatement(db: Db, statementId: bigint, opts: BuildOptions = {}): Promise<BuildOutcome> {
	const leaseOpts = { ...opts, leaseMs: opts.leaseMs ?? STATEMENT_LEASE_MS, what: 'statement' };
	return runLeasedBuild(db, 'statements', statementId, leaseOpts, async (claimed, lease) => {
		const merchant = await db.selectFrom('merchants').select('merchant_no').where('id', '=', claimed.merchant_id).executeTakeFirstOrThrow();
		const { merchant_id: merchantId, accounting_date: date } = claimed;
		// Closed first: a late posting from here on is booked on the open day, so what is read
		// below is the day for good and a rebuild gives the same bytes.
		await closeDay(db, merchantId, date);
		const writers: FileWriter[] = [];
		const client = await getFilePool().connect();
		let failure: Error | undefined;
		try {
			await client.query(ROWS_SETTINGS);
			const summary = readSummary(db, merchantId, date);
			const counted = summary.then((s) =>
				db.updateTable('statements').set({ row_count: s.rows }).where('id', '=', statementId).where('lease_owner', '=', lease.owner).execute()
			);
			// Awaited below (or the build fails with a file's error first); handled until then.
			counted.catch(() => {});
			// One after the other: the CSV's files row comes first, as it always did.
			const csv = await openFileWriter(db, { merchantId, name: statementFileName(merchant.merchant_no, date, 'csv'), contentType: CSV_TYPE });
			writers.push(csv);
			const xlsx = await openFileWriter(db, { merchantId, name: statementFileName(merchant.merchant_no, date, 'xlsx'), contentType: XLSX_TYPE });
			writers.push(xlsx);
			const rows = await writeStatementFiles(client, csv.stream, xlsx.stream, merchantId, date, summary, async (done) => lease.progress(done));
			await counted;

			await lease.complete(async (tx) => {
				const csvFile = await csv.finish(tx);
				const xlsxFile = await xlsx.finish(tx);
				return { csv_file_id: csvFile.fileId, xlsx_file_id: xlsxFile.fileId, row_count: BigInt(rows), rows_done: BigInt(rows) };
			});
			return { rows, csvFileId: csv.fileId, xlsxFileId: xlsx.fileId };
		} catch (err) {
			failure = err instanceof Error ? err : new Error(String(err));
			await Promise.allSettled(writers.map((w) => w.abort()));
			throw err;
		} finally {
			if (!failure) await client.query(ROWS_RESET).catch((e: Error) => (failure = e));
			// A COPY cut off by an error leaves the connection unusable: discard it then.
			client.release(failure);
		}
	});
}
