// Builds one statement (the 'statements.build' job). The statements row is the truth: a
// build first claims it with a lease, so two workers never build the same statement at
// once; both files are written, then the files become complete and the row READY in one
// transaction — a killed build leaves nothing visible and is simply built again.
import { holdLease, LeaseLost, leaseExpiry } from '../lease.ts';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { translate } from '../../src/lib/i18n/messages.ts';
import { CSV_TYPE, getFilePool, openFileWriter, XLSX_TYPE, type FileWriter } from '../../src/lib/server/files/index.ts';
import { writeStatementCsv, writeStatementXlsx, type SummaryRow } from './files.ts';
import { statementSummarySql } from './query.ts';

export const DEFAULT_LEASE_MS = Number(process.env.STATEMENT_LEASE_MS ?? 30_000);

export interface BuildOptions {
	/** Who holds the lease (host, process, job). */
	owner?: string;
	leaseMs?: number;
	/** The job's last attempt: an error marks the row FAILED instead of PENDING for a retry. */
	finalAttempt?: boolean;
}

export type BuildOutcome =
	| { outcome: 'built'; rows: number; csvFileId: bigint; xlsxFileId: bigint }
	| { outcome: 'skipped'; reason: 'ready' | 'missing' }
	| { outcome: 'leased'; leaseUntil: Date };

export function defaultOwner(suffix = ''): string {
	return `${hostname()}:${process.pid}${suffix ? `:${suffix}` : ''}`;
}

/** The file name people see: 对账单_<merchant no>_<date>.csv / .xlsx */
export function statementFileName(merchantNo: string, accountingDate: string, ext: 'csv' | 'xlsx'): string {
	return `${translate('zh-CN', 'statements.fileName')}_${merchantNo}_${accountingDate}.${ext}`;
}

export async function readSummary(db: Db, merchantId: bigint, accountingDate: string): Promise<SummaryRow[]> {
	const r = await sql<{ txn_type: string; status: string; rows: bigint; amount: bigint; fee: bigint }>`${sql.raw(
		statementSummarySql(merchantId, accountingDate)
	)}`.execute(db);
	return r.rows.map((x) => ({ txnType: x.txn_type, status: x.status, rows: x.rows, amount: x.amount, fee: x.fee }));
}

export async function buildStatement(db: Db, statementId: bigint, opts: BuildOptions = {}): Promise<BuildOutcome> {
	const owner = opts.owner ?? defaultOwner();
	const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
	const leaseUntil = leaseExpiry(leaseMs);

	const claimed = await db
		.updateTable('statements')
		.set({
			status: 'BUILDING',
			lease_owner: owner,
			lease_until: leaseUntil,
			attempts: sql`attempts + 1`,
			started_at: sql`now()`,
			rows_done: 0n,
			error: null
		})
		.where('id', '=', statementId)
		.where((eb) =>
			eb.or([
				eb('status', 'in', ['PENDING', 'FAILED']),
				eb.and([eb('status', '=', 'BUILDING'), eb('lease_until', '<', sql<Date>`now()`)])
			])
		)
		.returning(['id', 'merchant_id', 'accounting_date'])
		.executeTakeFirst();
	if (!claimed) {
		const row = await db.selectFrom('statements').select(['status', 'lease_until']).where('id', '=', statementId).executeTakeFirst();
		if (!row) return { outcome: 'skipped', reason: 'missing' };
		if (row.status === 'BUILDING' && row.lease_until) return { outcome: 'leased', leaseUntil: row.lease_until };
		return { outcome: 'skipped', reason: 'ready' };
	}

	const merchant = await db.selectFrom('merchants').select('merchant_no').where('id', '=', claimed.merchant_id).executeTakeFirstOrThrow();
	const { merchant_id: merchantId, accounting_date: date } = claimed;

	const lease = holdLease(db, { table: 'statements', id: statementId, owner, status: 'BUILDING', leaseMs, what: 'statement' });

	const writers: FileWriter[] = [];
	const client = await getFilePool().connect();
	let failure: Error | undefined;
	try {
		// The day's rows are sorted in one go; keep that sort in memory rather than on disk.
		await client.query(`SET work_mem = '64MB'`);
		const summary = await readSummary(db, merchantId, date);
		const total = summary.reduce((n, r) => n + r.rows, 0n);
		await db.updateTable('statements').set({ row_count: total }).where('id', '=', statementId).where('lease_owner', '=', owner).execute();

		const csv = await openFileWriter(db, { merchantId, name: statementFileName(merchant.merchant_no, date, 'csv'), contentType: CSV_TYPE });
		writers.push(csv);
		const rows = await writeStatementCsv(client, csv.stream, merchantId, date, summary);
		lease.check();

		const xlsx = await openFileWriter(db, { merchantId, name: statementFileName(merchant.merchant_no, date, 'xlsx'), contentType: XLSX_TYPE });
		writers.push(xlsx);
		await writeStatementXlsx(client, xlsx.stream, merchantId, date, summary, async (done) => lease.progress(done));
		lease.check();
		await lease.settle();

		await db.transaction().execute(async (tx) => {
			const csvFile = await csv.finish(tx);
			const xlsxFile = await xlsx.finish(tx);
			const r = await tx
				.updateTable('statements')
				.set({
					status: 'READY',
					csv_file_id: csvFile.fileId,
					xlsx_file_id: xlsxFile.fileId,
					row_count: BigInt(rows),
					rows_done: BigInt(rows),
					error: null,
					lease_owner: null,
					lease_until: null,
					finished_at: sql`now()`
				})
				.where('id', '=', statementId)
				.where('lease_owner', '=', owner)
				.where('status', '=', 'BUILDING')
				.executeTakeFirst();
			if (r.numUpdatedRows === 0n) throw new LeaseLost('statement');
		});
		return { outcome: 'built', rows, csvFileId: csv.fileId, xlsxFileId: xlsx.fileId };
	} catch (err) {
		failure = err instanceof Error ? err : new Error(String(err));
		await Promise.allSettled(writers.map((w) => w.abort()));
		const reason = err instanceof Error ? err.message : String(err);
		await db
			.updateTable('statements')
			.set({
				status: opts.finalAttempt ? 'FAILED' : 'PENDING',
				error: reason.slice(0, 500),
				lease_owner: null,
				lease_until: null,
				finished_at: opts.finalAttempt ? sql`now()` : null
			})
			.where('id', '=', statementId)
			.where('lease_owner', '=', owner)
			.execute()
			.catch(() => {});
		throw err;
	} finally {
		lease.release();
		if (!failure) await client.query('RESET work_mem').catch((e: Error) => (failure = e));
		// A COPY or cursor cut off by an error leaves the connection unusable: discard it then.
		client.release(failure);
	}
}
