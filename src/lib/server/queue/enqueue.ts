// Adding jobs. The features call these; the job ids make every enqueue of a build idempotent.
import type { JobsOptions } from 'bullmq';
import { activeLog, currentRequestId } from '../log.ts';
import { exportJobId, JOB_QUEUE, statementJobId, type JobName, type JobPayloads, type JobTrace } from './jobs.ts';
import { getQueue } from './queues.ts';

/** The payload as stored: with the id of the request that enqueued it, when there was one. */
function traced<T extends object>(data: T): T & JobTrace {
	const requestId = currentRequestId();
	return requestId ? { ...data, requestId } : data;
}

/** Adds a job to the queue its name belongs to. Pass a jobId to make the enqueue idempotent. */
export async function enqueue<N extends JobName>(name: N, data: JobPayloads[N], opts?: JobsOptions) {
	return getQueue(JOB_QUEUE[name]).add(name, traced(data), opts);
}

/**
 * Enqueues under a fixed job id, idempotently: while a job of that id waits, is delayed or
 * runs, this adds nothing (and says so). A finished one (kept as evidence) is removed first
 * so the work can run again.
 */
async function enqueueOnce<N extends JobName>(name: N, data: JobPayloads[N], jobId: string, opts: { priority?: number } = {}): Promise<boolean> {
	const queue = getQueue(JOB_QUEUE[name]);
	const existing = await queue.getJob(jobId);
	if (existing) {
		const state = await existing.getState();
		if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
		await existing.remove();
	}
	await queue.add(name, traced(data), { ...opts, jobId });
	return true;
}

/** Enqueues an export's build; false when one already waits or runs. */
export function enqueueExportBuild(exportId: bigint): Promise<boolean> {
	return enqueueOnce('exports.build', { exportId: exportId.toString() }, exportJobId(exportId));
}

/**
 * Enqueues a statement's build; false when one for that merchant and day already waits or runs.
 * `priority`: a catch-up build's, so it waits behind yesterday's (which has none).
 */
export function enqueueStatementBuild(statementId: bigint, merchantId: bigint, accountingDate: string, opts: { priority?: number } = {}): Promise<boolean> {
	return enqueueOnce('statements.build', { statementId: statementId.toString() }, statementJobId(merchantId, accountingDate), opts);
}

/**
 * For requests from the web: the Postgres row (QUEUED/PENDING) is already the request, so
 * when Redis cannot take the job right now the request still succeeds and a worker's sweep
 * enqueues it within a minute. Resolves false when it was left to the sweep.
 */
export async function enqueueOrLeaveToSweep(what: string, enqueue: () => Promise<unknown>): Promise<boolean> {
	// BullMQ waits for a connection that is down rather than failing: bound the wait, so a
	// Redis outage costs the request a moment instead of hanging it.
	const ms = enqueueTimeoutMs();
	const attempt = enqueue();
	attempt.catch(() => {}); // a late failure is the sweep's to repair, like an early one
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			attempt,
			new Promise((_, reject) => {
				timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
			})
		]);
		return true;
	} catch (err) {
		activeLog().warn(`[jobs] ${what} not enqueued now (${(err as Error).message}); a worker's sweep will enqueue it`);
		return false;
	} finally {
		clearTimeout(timer);
	}
}

function enqueueTimeoutMs(): number {
	const n = Number(process.env.ENQUEUE_TIMEOUT_MS ?? 3_000);
	return Number.isFinite(n) && n > 0 ? n : 3_000;
}
