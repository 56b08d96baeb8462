// Job name → feature call, exactly one handler per job name (immich style): the type demands
// it, and the worker re-checks at boot so a name added to the queue's contract without a
// handler never runs silently. Also what the worker's sweep puts back.
import { DelayedError, type Job } from 'bullmq';
import type { Db } from '#db';
import { buildExport } from '#shared/server/exports/build.ts';
import { expireExports } from '#shared/server/exports/expiry.ts';
import { requeueUnfinishedExports } from '#shared/server/exports/requests.ts';
import { deleteAbandonedFiles } from '#shared/server/files/index.ts';
import { leaseOwner, type BuildOptions, type LeasedBuildOutcome } from '#shared/server/leased-build.ts';
import { activeLog } from '#shared/server/log.ts';
import { recordBuild } from '#shared/server/metrics.ts';
import { JOB_NAMES, type JobName, type JobPayloads } from '#shared/server/queue/jobs.ts';
import { pruneSecurityData } from '#shared/server/retention.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { catchUpStatements, fanOutStatements } from '#shared/server/statements/fan-out.ts';
import { requeueUnfinishedStatements } from '#shared/server/statements/requests.ts';

export interface JobContext {
	db: Db;
	/** The worker's lock token: lets a handler postpone its job (moveToDelayed) without failing it. */
	token?: string;
}

export type JobHandler<N extends JobName> = (job: Job<JobPayloads[N], unknown, N>, ctx: JobContext) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export const HANDLERS: JobHandlers = {
	// Yesterday's statements first, then every day of the window still missing one.
	'statements.fanOut': async (_job, { db }) => {
		const r = await fanOutStatements(db);
		await catchUpStatements(db);
		return r;
	},
	'statements.build': (job, ctx) => runLeasedBuildJob(job, ctx, 'statement', (opts) => buildStatement(ctx.db, BigInt(job.data.statementId), opts)),
	'exports.build': (job, ctx) => runLeasedBuildJob(job, ctx, 'export', (opts) => buildExport(ctx.db, BigInt(job.data.exportId), opts)),
	// Expired exports lose their files; files a killed build left half-written go; short-lived
	// security data (sessions, codes, attempt counts, SMS secrets) past its life goes.
	'upkeep.hourly': async (_job, { db }) => ({
		expired: await expireExports(db),
		abandoned: await deleteAbandonedFiles(db),
		pruned: await pruneSecurityData(db)
	})
};

/**
 * A build job: the payload names a row, the leased build decides. When another worker holds
 * the row (or held it and died) the job looks again once that lease runs out, without
 * spending one of its attempts.
 */
async function runLeasedBuildJob<R extends { rows: number }>(
	job: Job,
	ctx: JobContext,
	kind: 'export' | 'statement',
	build: (opts: BuildOptions) => Promise<LeasedBuildOutcome<R>>
) {
	const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
	const started = performance.now();
	const r = await build({ owner: leaseOwner(job.id), finalAttempt });
	if (r.outcome === 'built') {
		const seconds = (performance.now() - started) / 1000;
		recordBuild(kind, seconds, r.rows);
		const rowsPerSecond = Math.round(seconds > 0 ? r.rows / seconds : r.rows);
		activeLog().info({ kind, rows: r.rows, durationMs: Math.round(seconds * 1000), rowsPerSecond }, `${kind} built: ${r.rows} rows at ${rowsPerSecond} rows/s`);
	}
	if (r.outcome === 'leased') {
		if (ctx.token) {
			await job.moveToDelayed(r.leaseUntil.getTime() + 1_000, ctx.token);
			throw new DelayedError();
		}
		throw new Error(`${job.name}: the row is being built by another worker`);
	}
	return r.outcome === 'built' ? { outcome: 'built', rows: r.rows } : { outcome: 'skipped', reason: r.reason };
}

/** How many builds had lost their jobs (Redis restarted empty) and were enqueued again. */
export interface Requeued {
	exports: number;
	statements: number;
}

/** The worker's sweep: Postgres rows, not Redis, say what still has to be built. */
export async function requeueUnfinished(db: Db): Promise<Requeued> {
	return { exports: await requeueUnfinishedExports(db), statements: await requeueUnfinishedStatements(db) };
}

/** At worker start: builds whatever days of the statement window have no statement (a fresh install, an outage). */
export async function onWorkerStart(db: Db): Promise<{ statements: number }> {
	return { statements: await catchUpStatements(db) };
}

/** Throws when a job name has no handler (or a handler has no job name). */
export function assertHandlersComplete(handlers: Partial<Record<string, unknown>> = HANDLERS): void {
	const missing = JOB_NAMES.filter((n) => typeof handlers[n] !== 'function');
	const unknown = Object.keys(handlers).filter((n) => !(JOB_NAMES as string[]).includes(n));
	if (missing.length || unknown.length)
		throw new Error(
			`job handlers out of step with src/lib/server/queue/jobs.ts: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`
		);
}
