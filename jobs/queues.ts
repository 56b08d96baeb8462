// Queue names, job names and their payloads: the one contract between the web side
// (which enqueues) and jobs/worker.ts (which runs). Payloads carry ids only; each handler
// re-reads its rows, so a retried or duplicated job is harmless.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeRedis, createEnqueueConnection, redisPrefix } from './redis.ts';

export const QUEUES = {
	STATEMENTS: 'statements',
	EXPORTS: 'exports'
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Every job name and its payload. Adding a name here without a handler fails the worker's boot. */
export interface JobPayloads {
	/** Daily: finds yesterday's (Asia/Shanghai) accounting date and the active merchants. */
	'statements.fanOut': Record<string, never>;
	/** Builds one statement (both files); the id is bigint as text. */
	'statements.build': { statementId: string };
	/** Builds one export file; the id is bigint as text. */
	'exports.build': { exportId: string };
	/** Hourly: deletes the files of expired exports. */
	'exports.expire': Record<string, never>;
}
export type JobName = keyof JobPayloads;

/** Which queue each job runs on (by workload: scheduled statements vs on-demand exports). */
export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
	'statements.fanOut': QUEUES.STATEMENTS,
	'statements.build': QUEUES.STATEMENTS,
	'exports.build': QUEUES.EXPORTS,
	'exports.expire': QUEUES.EXPORTS
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

export function isJobName(name: string): name is JobName {
	return Object.hasOwn(JOB_QUEUE, name);
}

/** Keeps Redis small: finished jobs are evidence only until the Postgres row says done. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
	attempts: 3,
	backoff: { type: 'exponential', delay: 5_000 },
	removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
	removeOnFail: { age: 30 * 24 * 3600 }
};

let connection: Redis | undefined;
const open = new Map<QueueName, Queue>();

/** The web side's handle on a queue: created on first use, closed by closeQueues(). */
export function getQueue(name: QueueName): Queue {
	let queue = open.get(name);
	if (!queue) {
		connection ??= createEnqueueConnection();
		queue = new Queue(name, { connection, prefix: redisPrefix(), defaultJobOptions: DEFAULT_JOB_OPTIONS });
		open.set(name, queue);
	}
	return queue;
}

/** Adds a job to the queue its name belongs to. Pass a jobId to make the enqueue idempotent. */
export async function enqueue<N extends JobName>(name: N, data: JobPayloads[N], opts?: JobsOptions) {
	return getQueue(JOB_QUEUE[name]).add(name, data, opts);
}

/**
 * Enqueues under a fixed job id, idempotently: while a job of that id waits, is delayed or
 * runs, this adds nothing (and says so). A finished one (kept as evidence) is removed first
 * so the work can run again.
 */
export async function enqueueOnce<N extends JobName>(name: N, data: JobPayloads[N], jobId: string): Promise<boolean> {
	const queue = getQueue(JOB_QUEUE[name]);
	const existing = await queue.getJob(jobId);
	if (existing) {
		const state = await existing.getState();
		if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
		await existing.remove();
	}
	await queue.add(name, data, { jobId });
	return true;
}

/**
 * For requests from the web: the Postgres row (QUEUED/PENDING) is already the request, so
 * when Redis cannot take the job right now the request still succeeds and a worker's sweep
 * (jobs/recover.ts) enqueues it within a minute. Resolves false when it was left to the sweep.
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
		console.warn(`[jobs] ${what} not enqueued now (${(err as Error).message}); a worker's sweep will enqueue it`);
		return false;
	} finally {
		clearTimeout(timer);
	}
}

function enqueueTimeoutMs(): number {
	const n = Number(process.env.ENQUEUE_TIMEOUT_MS ?? 3_000);
	return Number.isFinite(n) && n > 0 ? n : 3_000;
}

export async function closeQueues(): Promise<void> {
	const queues = [...open.values()];
	open.clear();
	// A connection that never came up would keep the queues' close waiting for it.
	if (connection && connection.status !== 'ready') connection.disconnect();
	await Promise.allSettled(queues.map((q) => q.close()));
	if (connection) {
		const c = connection;
		connection = undefined;
		await closeRedis(c);
	}
}
