// Fault (c): the Redis that BullMQ uses (a private redis-server started here; the shared one on
// 6379 is never touched) is down for 10 s and comes back empty, while people request exports.
// The requests succeed (the Postgres row is the request), lists keep working, /readyz says Redis
// is down; once Redis is back the worker's sweep enqueues the waiting rows and every export is
// built once, with every row.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '#db';
import { startPrivateRedis } from '../../scripts/lib/private-redis.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { adminQuery, buildCopy, call, createSeededDatabase, ROOT, signIn, startWeb, startWorker, uniqueName, until, type Proc } from './harness.ts';
import { demoAdmin } from './files.ts';

const SERVER = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = uniqueName('redis');
const REDIS_DIR = join(ROOT, '.data', `fault-redis-${NAME}`);
let db: Db;
let redis: { url: string; stop: () => Promise<void> };
let web: Proc & { base: string };
let worker: Proc;
let removeBuild = () => {};
let cookie: string;

const today = businessDate(new Date());
const filters = [0, 1, 2].map((i) => ({ from: addDays(today, -4 + i), to: today }));
const logs = () => `web:\n${web?.output()}\nworker:\n${worker?.output()}`;

beforeAll(async () => {
	const url = await createSeededDatabase(SERVER, NAME);
	db = createDb(url, 2);
	redis = await startPrivateRedis('redis://127.0.0.1:0', REDIS_DIR, () => {});
	const build = await buildCopy(NAME);
	removeBuild = build.remove;
	const env = { DATABASE_URL: url, REDIS_URL: redis.url, REDIS_PREFIX: `mbfault:${NAME}` };
	web = await startWeb(build.dir, { ...env, ENQUEUE_TIMEOUT_MS: '1000' });
	worker = await startWorker({ ...env, WORKER_SWEEP_MS: '1000', WORKER_HEARTBEAT_MS: '500' });
	cookie = await signIn(web.base);
}, 120_000);

afterAll(async () => {
	await Promise.all([web?.stop(), worker?.stop()]);
	await redis?.stop();
	rmSync(REDIS_DIR, { recursive: true, force: true });
	await db?.destroy();
	removeBuild();
	await adminQuery(SERVER, `DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
});

const readyz = async () => {
	const r = await fetch(`${web.base}/readyz`);
	return { status: r.status, body: (await r.json()) as { redis: string; worker: string; postgres: string } };
};

describe('Redis down for 10 s during export requests', () => {
	it('keeps every request and builds every export once it is back', async () => {
		expect(await until('the worker heartbeat', async () => ((await readyz()).body.worker === 'ok' ? readyz() : undefined), 10_000, logs)).toMatchObject({
			status: 200,
			body: { postgres: 'ok', redis: 'ok', worker: 'ok' }
		});

		// Stopped, and what it saved deleted: it comes back empty, as a Redis without persistence does.
		const port = new URL(redis.url).port;
		await redis.stop();
		rmSync(join(REDIS_DIR, 'dump.rdb'), { force: true });
		const downAt = Date.now();

		const created = [];
		for (const filter of filters) created.push(await call<{ id: bigint }>(web.base, cookie, 'exports.create', { list: 'payments', format: 'CSV', filter, columns: [] }, 'POST'));
		expect(created.map((c) => c.status)).toEqual([200, 200, 200]);
		const list = await call(web.base, cookie, 'exports.list', { page: 1, pageSize: 10 });
		expect(list.status).toBe(200);
		expect(await readyz()).toMatchObject({ status: 503, body: { postgres: 'ok', redis: 'down' } });
		expect((await fetch(`${web.base}/healthz`)).status).toBe(200);

		await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - downAt))));
		expect(web.alive(), logs()).toBe(true);
		expect(worker.alive(), logs()).toBe(true);
		redis = await startPrivateRedis(`redis://127.0.0.1:${port}`, REDIS_DIR, () => {});

		const { merchantId } = await demoAdmin(db);
		const rows = await Promise.all(
			created.map((c) =>
				until(
					`export ${c.body.id} to be READY`,
					async () => {
						const row = await db.selectFrom('exports').selectAll().where('id', '=', BigInt(c.body.id)).executeTakeFirstOrThrow();
						return row.status === 'READY' && row;
					},
					30_000,
					logs
				)
			)
		);
		for (const [i, row] of rows.entries()) {
			const expected = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE merchant_id = ${merchantId}
				AND created_at >= ${startOfBusinessDate(filters[i].from)} AND created_at < ${startOfBusinessDate(addDays(filters[i].to, 1))}`.execute(db);
			expect(row.rows_done).toBe(BigInt(expected.rows[0].n));
			expect(row.attempts).toBe(1); // built once, not once per enqueue
		}
		expect(await until('readiness again', async () => ((await readyz()).status === 200 ? readyz() : undefined), 10_000, logs)).toMatchObject({
			body: { redis: 'ok', worker: 'ok' }
		});
		expect(web.alive()).toBe(true);
		expect(worker.alive()).toBe(true);
	}, 50_000);
});
