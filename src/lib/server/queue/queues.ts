// The enqueueing side's handles on the queues (web process, and the worker when a job enqueues
// another): one Redis connection that fails fast, queues made on first use, closed together.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_JOB_OPTIONS, type QueueName } from './jobs.ts';
import { closeRedis, createEnqueueConnection, redisPrefix } from './redis.ts';

let connection: Redis | undefined;
const open = new Map<QueueName, Queue>();

/** A queue to add jobs to: created on first use, closed by closeQueues(). */
export function getQueue(name: QueueName): Queue {
	let queue = open.get(name);
	if (!queue) {
		connection ??= createEnqueueConnection();
		queue = new Queue(name, { connection, prefix: redisPrefix(), defaultJobOptions: DEFAULT_JOB_OPTIONS });
		// The queue re-emits its connection's errors, and BullMQ prints them whole when nobody
		// listens; the connection's own listener (redis.ts) already logs each outage once.
		queue.on('error', () => {});
		open.set(name, queue);
	}
	return queue;
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
