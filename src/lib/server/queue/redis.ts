// Redis connections for BullMQ. The worker runs this under plain Node: no $app/$env/$lib imports.
import { Redis } from 'ioredis';
import { DEFAULT_DATABASE_URL } from '#db';
import { logger } from '../log.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function redisUrl(): string {
	return process.env.REDIS_URL || DEFAULT_REDIS_URL;
}

/**
 * BullMQ key prefix: REDIS_PREFIX when set, else `mb:<database name>`, so two installations on
 * two databases sharing one Redis never run each other's jobs (whose ids name rows of their own
 * database). Read at call time because each test file sets its own.
 */
export function redisPrefix(env: NodeJS.ProcessEnv = process.env): string {
	if (env.REDIS_PREFIX) return env.REDIS_PREFIX;
	const name = databaseName(env.DATABASE_URL || DEFAULT_DATABASE_URL);
	return name ? `mb:${name}` : 'mb';
}

function databaseName(url: string): string | undefined {
	try {
		const u = new URL(url);
		// libpq's rule: no database in the URL means the one named like the user.
		return decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || undefined;
	} catch {
		return undefined;
	}
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
		logger.error(`[redis] ${name}: ${err.message} (reconnecting)`);
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
