// The web's pool opens its connections at start and keeps them: the first people after a start
// or a quiet spell must not pay for connecting and for new backends' cold caches.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, poolOf, sessionLimits, setDbRole, warmPool, type Db } from '#db';

const dbs: Db[] = [];

afterEach(async () => {
	setDbRole('web');
	await Promise.all(dbs.splice(0).map((d) => d.destroy()));
});

/** This database's backends by application name, seen from a connection of another pool. */
async function backends(observer: Db): Promise<number> {
	const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(observer);
	return r.rows[0].n;
}

describe("the web's pool", () => {
	it('opens every connection at once and keeps them when idle; a worker pool keeps only what it needs', async () => {
		const observer = createDb(undefined, 1);
		dbs.push(observer);
		const before = await backends(observer);

		const web = createDb(undefined, 4, sessionLimits('web'));
		dbs.push(web);
		expect(await warmPool(web)).toBe(4);
		expect(await backends(observer)).toBe(before + 4);
		const pool = poolOf(web)!;
		expect(pool.totalCount).toBe(4);
		expect(pool.idleCount).toBe(4);
		// Idle connections above `min` are closed after idleTimeoutMillis: the web's min is its max.
		expect(pool.options.min).toBe(4);

		setDbRole('worker');
		const worker = createDb(undefined, 4, sessionLimits('worker'));
		dbs.push(worker);
		expect(poolOf(worker)!.options.min ?? 0).toBe(0);
	});

	it('with Postgres unreachable it opens nothing and does not throw', async () => {
		const url = new URL(process.env.DATABASE_URL!);
		url.port = '1';
		const web = createDb(url.toString(), 2, sessionLimits('web'));
		dbs.push(web);
		expect(await warmPool(web)).toBe(0);
		expect(poolOf(web)!.totalCount).toBe(0);
	});
});
