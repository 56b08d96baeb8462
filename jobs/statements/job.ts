// The 'statements.build' job and how the web side and the fan-out enqueue it. The payload is
// the statement id only; the row says what to build and whether it is still needed.
import { DelayedError, type Job } from 'bullmq';
import type { Db } from '../../db/index.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { leaseOwner } from '#shared/server/leased-build.ts';

export const BUILD_JOB = 'statements.build' as const;

export interface StatementBuildPayload {
	/** bigint as text: job data is JSON. */
	statementId: string;
}

export interface StatementBuildResult {
	outcome: 'built' | 'skipped';
	rows?: number;
	reason?: string;
}

export async function runStatementBuildJob(
	job: Job<StatementBuildPayload>,
	ctx: { db: Db; token?: string }
): Promise<StatementBuildResult> {
	const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
	const r = await buildStatement(ctx.db, BigInt(job.data.statementId), { owner: leaseOwner(job.id), finalAttempt });
	if (r.outcome === 'leased') {
		// Another worker holds it (or held it and died): look again once its lease runs out,
		// without spending one of this job's attempts.
		if (ctx.token) {
			await job.moveToDelayed(r.leaseUntil.getTime() + 1_000, ctx.token);
			throw new DelayedError();
		}
		throw new Error('statement is being built by another worker');
	}
	if (r.outcome === 'skipped') return { outcome: 'skipped', reason: r.reason };
	return { outcome: 'built', rows: r.rows };
}
