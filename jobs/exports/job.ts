// The export jobs: 'exports.build' (payload: the export id only) and the hourly 'exports.expire'.
import { DelayedError, type Job } from 'bullmq';
import type { Db } from '../../db/index.ts';
import { buildExport } from '#shared/server/exports/build.ts';

export async function runExportBuildJob(job: Job<{ exportId: string }>, ctx: { db: Db; token?: string }) {
	const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
	const r = await buildExport(ctx.db, BigInt(job.data.exportId), { owner: `${process.pid}:${job.id}`, finalAttempt });
	if (r.outcome === 'leased') {
		if (ctx.token) {
			await job.moveToDelayed(r.leaseUntil.getTime() + 1_000, ctx.token);
			throw new DelayedError();
		}
		throw new Error('export is being built by another worker');
	}
	return r.outcome === 'built' ? { outcome: 'built', rows: r.rows } : { outcome: 'skipped', reason: r.reason };
}
