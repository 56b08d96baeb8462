// Redis connections for BullMQ. Plain Node: no $app/$env/$lib imports here.
import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_REDIS_PREFIX = 'mb';

export function redisUrl(): string {
	return process.env.REDIS_URL || DEFAULT_REDIS_URL;
}

/** BullMQ key prefix; read at call time because each test file sets its own. */
export function redisPrefix(): string {
	return process.env.REDIS_PREFIX || DEFAULT_REDIS_PREFIX;
}

/** For workers: BullMQ's blocking commands must retry forever instead of failing a job. */
export function createWorkerConnection(name = 'mb-worker'): Redis {
	return logErrors(new Redis(redisUrl(), { maxRetriesPerRequest: null, connectionName: name }), name);
}

/** For the web side: an enqueue should fail fast when Redis is down, not hang a request. */
export function createEnqueueConnection(name = 'mb-web'): Redis {
	return logErrors(new Redis(redisUrl(), { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: name }), name);
}

/**
 * ioredis reconnects by itself; without a listener it also prints every failed attempt as an
 * "unhandled error" with a stack. One line per change of error is enough to see an outage.
 */
function logErrors(conn: Redis, name: string): Redis {
	let last = '';
	conn.on('error', (err: Error) => {
		if (err.message === last) return;
		last = err.message;
		console.error(`[redis] ${name}: ${err.message} (reconnecting)`);
	});
	conn.on('ready', () => (last = ''));
	return conn;
}

/** quit() politely; fall back to disconnect() when the connection is already broken. */
export async function closeRedis(conn: Redis): Promise<void> {
	if (conn.status === 'end') return;
	try {
		await conn.quit();
	} catch {
		conn.disconnect();
	}
}
