// Exactly one handler per job name (immich style): the type demands it, and the worker
// re-checks at boot so a name added to queues.ts without a handler never runs silently.
import type { Job } from 'bullmq';
import type { Db } from '../db/index.ts';
import { JOB_NAMES, type JobName, type JobPayloads } from '#shared/server/queue/jobs.ts';
import { fanOutStatements } from '#shared/server/statements/fan-out.ts';
import { runStatementBuildJob } from './statements/job.ts';
import { runExportBuildJob } from './exports/job.ts';
import { expireExports } from '#shared/server/exports/expiry.ts';
import { deleteAbandonedFiles } from '../src/lib/server/files/index.ts';
import { pruneSecurityData } from '../src/lib/server/retention.ts';

export interface JobContext {
	db: Db;
	/** The worker's lock token: lets a handler postpone its job (moveToDelayed) without failing it. */
	token?: string;
}

export type JobHandler<N extends JobName> = (job: Job<JobPayloads[N], unknown, N>, ctx: JobContext) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export const HANDLERS: JobHandlers = {
	'statements.fanOut': (_job, { db }) => fanOutStatements(db),
	'statements.build': (job, ctx) => runStatementBuildJob(job, ctx),
	'exports.build': (job, ctx) => runExportBuildJob(job, ctx),
	// Hourly upkeep: expired exports lose their files; files a killed build left half-written go;
	// short-lived security data (sessions, codes, attempt counts, SMS secrets) past its life goes.
	'exports.expire': async (_job, { db }) => ({
		expired: await expireExports(db),
		abandoned: await deleteAbandonedFiles(db),
		pruned: await pruneSecurityData(db)
	})
};

/** Throws when a job name has no handler (or a handler has no job name). */
export function assertHandlersComplete(handlers: Partial<Record<string, unknown>> = HANDLERS): void {
	const missing = JOB_NAMES.filter((n) => typeof handlers[n] !== 'function');
	const unknown = Object.keys(handlers).filter((n) => !(JOB_NAMES as string[]).includes(n));
	if (missing.length || unknown.length)
		throw new Error(
			`job handlers out of step with src/lib/server/queue/jobs.ts: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`
		);
}
