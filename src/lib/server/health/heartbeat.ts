// The worker's sign of life for /readyz: each worker process keeps a Redis key with a TTL of
// three beats; the web lists the keys. No key means no worker has beaten lately (stopped,
// stuck, or cut off from Redis). Relative imports only: the worker runs this under plain Node.
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

function heartbeatMs(): number {
	const n = Number(process.env.WORKER_HEARTBEAT_MS ?? 10_000);
	return Number.isInteger(n) && n >= 100 ? n : 10_000;
}

const keyPattern = (prefix: string) => `${prefix}:heartbeat:worker:*`;

interface Heartbeat {
	/** host:pid of the worker process. */
	id: string;
	/** When it last beat (ms since the epoch). */
	at: number;
	queues: string[];
}

/** Beats now and every heartbeatMs() until stop(); a beat Redis cannot take is simply missed. */
export function startHeartbeat(redis: Redis, prefix: string, queues: string[]): { stop(): Promise<void> } {
	const id = `${hostname()}:${process.pid}`;
	const key = `${prefix}:heartbeat:worker:${id}`;
	const every = heartbeatMs();
	const beat = () => {
		const value: Heartbeat = { id, at: Date.now(), queues };
		redis.set(key, JSON.stringify(value), 'PX', every * 3).catch(() => {});
	};
	beat();
	const timer = setInterval(beat, every);
	timer.unref();
	return {
		async stop() {
			clearInterval(timer);
			// A stopped worker says so at once instead of lapsing; if Redis is away it lapses.
			if (redis.status === 'ready') await redis.del(key).catch(() => {});
		}
	};
}

/** The workers that beat within the last three beats. */
export async function liveWorkers(redis: Redis, prefix: string): Promise<Heartbeat[]> {
	const keys: string[] = [];
	let cursor = '0';
	do {
		const [next, found] = await redis.scan(cursor, 'MATCH', keyPattern(prefix), 'COUNT', 100);
		keys.push(...found);
		cursor = next;
	} while (cursor !== '0');
	if (!keys.length) return [];
	const values = await redis.mget(...keys);
	return values.flatMap((v) => {
		try {
			return v ? [JSON.parse(v) as Heartbeat] : [];
		} catch {
			return [];
		}
	});
}
