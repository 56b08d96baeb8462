// The daily statement run (scheduled STATEMENT_CLOSE_AFTER_MIN after midnight Asia/Shanghai,
// 00:10 by default, by jobs/schedulers.ts): closes every active merchant's books through
// yesterday (the cut-off: a later posting is booked on today), upserts a PENDING statements row
// per active merchant for yesterday and enqueues 'statements.build' { statementId } with a job
// id per merchant and day, so a re-run of the fan-out enqueues nothing twice and a READY day is
// left alone. Then the catch-up: every day of the window still without a statement is built,
// oldest first, after yesterday's.
import { sql } from 'kysely';
import type { Db } from '#db';
import { closeDay } from '#shared/server/ledger/index.ts';
import { statementWindow } from '#shared/schemas/statements.ts';
import { yesterday } from '#shared/time.ts';
import { abandoned } from '../leased-build.ts';
import { enqueueStatementBuild } from '../queue/enqueue.ts';
import { upsertStatement } from './records.ts';

export const FAN_OUT_JOB = 'statements.fanOut';
/** The job_runs name of a catch-up pass (it runs inside the fan-out job and at worker start). */
export const CATCH_UP_JOB = 'statements.catchUp';

export interface ActiveMerchant {
	id: bigint;
	merchantNo: string;
}

export interface FanOutResult {
	accountingDate: string;
	merchants: number;
}

/** The day a statement run covers: yesterday in Asia/Shanghai, whatever the server's zone. */
export function statementAccountingDate(now: Date = new Date()): string {
	return yesterday(now);
}

export async function listActiveMerchants(db: Db): Promise<ActiveMerchant[]> {
	const rows = await db
		.selectFrom('merchants')
		.select(['id', 'merchant_no'])
		.where('status', '=', 'ACTIVE')
		.orderBy('id')
		.execute();
	return rows.map((r) => ({ id: r.id, merchantNo: r.merchant_no }));
}

export type EnqueueBuild = (statementId: bigint, merchantId: bigint, accountingDate: string, opts?: { priority?: number }) => Promise<unknown>;

/** Minutes after Shanghai midnight at which yesterday closes and its statements are built (default 10). */
export function closeAfterMinutes(): number {
	const n = Number(process.env.STATEMENT_CLOSE_AFTER_MIN ?? 10);
	return Number.isInteger(n) && n >= 0 && n < 24 * 60 ? n : 10;
}

/** The daily run's cron pattern (Asia/Shanghai): '10 0 * * *' by default. */
export function dailyRunPattern(): string {
	const m = closeAfterMinutes();
	return `${m % 60} ${Math.floor(m / 60)} * * *`;
}

/** The newest day that is due: yesterday once the cut-off after midnight has passed, else the day before. */
export function lastDueDate(now: Date = new Date()): string {
	return yesterday(new Date(now.getTime() - closeAfterMinutes() * 60_000));
}

export async function fanOutStatements(
	db: Db,
	now: Date = new Date(),
	enqueueBuild: EnqueueBuild = enqueueStatementBuild
): Promise<FanOutResult> {
	const accountingDate = statementAccountingDate(now);
	const merchants = await listActiveMerchants(db);
	for (const m of merchants) {
		// The cut-off: from now on a posting of yesterday is booked on today.
		await closeDay(db, m.id, accountingDate);
		const statement = await upsertStatement(db, m.id, accountingDate);
		if (statement.status !== 'READY') await enqueueBuild(statement.id, m.id, accountingDate);
	}
	const result: FanOutResult = { accountingDate, merchants: merchants.length };
	await db
		.insertInto('job_runs')
		.values({ job_name: FAN_OUT_JOB, detail: JSON.stringify(result) })
		.execute();
	return result;
}

/** Catch-up builds wait behind yesterday's (BullMQ: unprioritised jobs go first, then low numbers). */
export const CATCH_UP_PRIORITY = 10;

/**
 * The catch-up (at worker start and after every daily run): every day of the window up to the
 * last due day without a READY statement, for every active merchant, gets its PENDING row and
 * a build job, oldest first and behind yesterday's. A day with no transactions is built too
 * (header, empty body, zero summary). Set-based: one INSERT for the missing rows. Returns how
 * many builds were enqueued now (a day whose job already waits is not counted again).
 */
export async function catchUpStatements(db: Db, now: Date = new Date(), enqueueBuild: EnqueueBuild = enqueueStatementBuild): Promise<number> {
	const { first } = statementWindow(now);
	const last = lastDueDate(now);
	if (last < first) return 0;
	await sql`
		INSERT INTO statements (merchant_id, accounting_date)
		SELECT m.id, d::date FROM merchants m
		CROSS JOIN generate_series(${first}::date, ${last}::date, interval '1 day') d
		WHERE m.status = 'ACTIVE'
		ON CONFLICT (merchant_id, accounting_date) DO NOTHING`.execute(db);
	const due = await db
		.selectFrom('statements')
		.innerJoin('merchants', 'merchants.id', 'statements.merchant_id')
		.select(['statements.id', 'statements.merchant_id', 'statements.accounting_date'])
		.where('merchants.status', '=', 'ACTIVE')
		.where('statements.accounting_date', '>=', first)
		.where('statements.accounting_date', '<=', last)
		.where((eb) => eb.or([eb('statements.status', 'in', ['PENDING', 'FAILED']), eb(abandoned('statements'), '=', true)]))
		.orderBy('statements.accounting_date')
		.orderBy('statements.merchant_id')
		.execute();
	let enqueued = 0;
	for (const s of due) if (await enqueueBuild(s.id, s.merchant_id, s.accounting_date, { priority: CATCH_UP_PRIORITY })) enqueued++;
	// A pass that found nothing to do leaves no trace.
	if (due.length > 0)
		await db
			.insertInto('job_runs')
			.values({ job_name: CATCH_UP_JOB, detail: JSON.stringify({ first, last, due: due.length, enqueued }) })
			.execute();
	return enqueued;
}
