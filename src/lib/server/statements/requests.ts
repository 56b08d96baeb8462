// Asking for a statement: 重新生成 builds a missing, failed or abandoned day now; the worker's
// sweep enqueues whatever Redis lost. A live build or a READY day is left alone.
import type { Db } from '#db';
import { inStatementWindow } from '#shared/schemas/statements.ts';
import { writeAudit } from '../audit.ts';
import { unfinishedBuilds } from '../leased-build.ts';
import { enqueueOrLeaveToSweep, enqueueStatementBuild } from '../queue/enqueue.ts';
import { Refused } from '../refused.ts';
import { upsertStatement } from './records.ts';

/** Who asked, for the row and the audit log. */
export interface Requester {
	merchantId: bigint;
	staffId: bigint;
	staffName: string;
	ip: string | null;
	userAgent: string | null;
}

/** The day's state as the button should show it from now on. */
export async function requestStatement(db: Db, who: Requester, date: string): Promise<{ status: string }> {
	if (!inStatementWindow(date)) throw new Refused('BAD_REQUEST', 'statements.outOfRange');
	const row = await upsertStatement(db, who.merchantId, date, who.staffId);
	if (row.status === 'READY') return { status: row.status };
	if (row.status !== 'BUILDING' || row.abandoned) {
		// FAILED stays FAILED until a worker claims it (the claim accepts it); the button shows progress from then.
		if (row.status === 'FAILED')
			await db.updateTable('statements').set({ status: 'PENDING', error: null, rows_done: 0n }).where('id', '=', row.id).where('status', '=', 'FAILED').execute();
		await enqueueOrLeaveToSweep(`statement ${row.id}`, () => enqueueStatementBuild(row.id, who.merchantId, date));
		await writeAudit(db, {
			merchantId: who.merchantId,
			staffId: who.staffId,
			actorName: who.staffName,
			action: 'statements.request',
			targetType: 'statement',
			targetId: row.id,
			detail: { accountingDate: date },
			ip: who.ip,
			userAgent: who.userAgent
		});
	}
	return { status: row.status === 'FAILED' ? 'PENDING' : row.status };
}

/** How far back the sweep looks for statements left waiting. */
const REQUEUE_WITHIN = '7 days';

/** The sweep: enqueues every statement that should be building but has no job; returns how many. */
export async function requeueUnfinishedStatements(db: Db): Promise<number> {
	let enqueued = 0;
	for (const s of await unfinishedBuilds(db, 'statements', REQUEUE_WITHIN))
		if (await enqueueStatementBuild(s.id, s.merchant_id, s.accounting_date)) enqueued++;
	return enqueued;
}
