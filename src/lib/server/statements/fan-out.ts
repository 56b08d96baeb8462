// The daily statement fan-out (scheduled at 00:10 Asia/Shanghai by jobs/schedulers.ts):
// upserts a PENDING statements row per active merchant for yesterday and enqueues
// 'statements.build' { statementId } with a job id per merchant and day, so a re-run of the
// fan-out enqueues nothing twice and a READY day is left alone.
import type { Db } from '#db';
import { yesterday } from '#shared/time.ts';
import { enqueueStatementBuild } from '../queue/enqueue.ts';
import { upsertStatement } from './records.ts';

export const FAN_OUT_JOB = 'statements.fanOut';

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

export type EnqueueBuild = (statementId: bigint, merchantId: bigint, accountingDate: string) => Promise<unknown>;

export async function fanOutStatements(
	db: Db,
	now: Date = new Date(),
	enqueueBuild: EnqueueBuild = enqueueStatementBuild
): Promise<FanOutResult> {
	const accountingDate = statementAccountingDate(now);
	const merchants = await listActiveMerchants(db);
	for (const m of merchants) {
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
