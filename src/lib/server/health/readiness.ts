// What /readyz reports: whether this web process should get traffic (Postgres reachable with
// every migration applied, Redis reachable, not shutting down) and, for the operator, whether
// any worker is alive. A stale worker does not take the web out of rotation: pages and
// downloads work without one; exports and statements wait in Postgres until one is back.
import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import type { Db } from '#db';
import { migrations } from '#db/migrations/index.ts';
import { liveWorkers } from './heartbeat.ts';

export interface Readiness {
	ready: boolean;
	draining: boolean;
	postgres: 'ok' | 'down';
	migrations: 'current' | 'pending' | 'unknown';
	redis: 'ok' | 'down';
	worker: 'ok' | 'stale' | 'unknown';
	/** Worker processes that beat lately. */
	workers: number;
}

/** Each probe answers within this, so a hanging dependency still gets a quick "not ready". */
const PROBE_MS = 2_000;

function within<T>(ms: number, p: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	return Promise.race([
		p,
		new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
		})
	]).finally(() => clearTimeout(timer));
}

async function probePostgres(db: Db): Promise<Pick<Readiness, 'postgres' | 'migrations'>> {
	try {
		const r = await within(PROBE_MS, sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db));
		const applied = new Set(r.rows.map((x) => x.name));
		return { postgres: 'ok', migrations: Object.keys(migrations).every((m) => applied.has(m)) ? 'current' : 'pending' };
	} catch (err) {
		// Reachable, but never migrated.
		if ((err as { code?: string }).code === '42P01') return { postgres: 'ok', migrations: 'pending' };
		return { postgres: 'down', migrations: 'unknown' };
	}
}

/** Resolves when the connection is (re)established, rejects after `ms` (leaving no listener behind). */
function connected(redis: Redis, ms: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const onReady = () => {
			clearTimeout(timer);
			resolve();
		};
		const timer = setTimeout(() => {
			redis.off('ready', onReady);
			reject(new Error(`Redis not connected within ${ms} ms`));
		}, ms);
		redis.once('ready', onReady);
	});
}

async function probeRedis(redis: Redis, prefix: string): Promise<Pick<Readiness, 'redis' | 'worker' | 'workers'>> {
	try {
		// The connection is made on the first probe (and remade after an outage): wait for it.
		if (redis.status !== 'ready') await connected(redis, PROBE_MS);
		await within(PROBE_MS, redis.ping());
	} catch {
		return { redis: 'down', worker: 'unknown', workers: 0 };
	}
	try {
		const workers = (await within(PROBE_MS, liveWorkers(redis, prefix))).length;
		return { redis: 'ok', worker: workers ? 'ok' : 'stale', workers };
	} catch {
		return { redis: 'ok', worker: 'unknown', workers: 0 };
	}
}

export async function checkReadiness(db: Db, redis: Redis, prefix: string, draining: boolean): Promise<Readiness> {
	const [pg, rd] = await Promise.all([probePostgres(db), probeRedis(redis, prefix)]);
	const ready = !draining && pg.postgres === 'ok' && pg.migrations === 'current' && rd.redis === 'ok';
	return { ready, draining, ...pg, ...rd };
}
