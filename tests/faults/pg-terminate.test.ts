// Fault (a): every application connection to Postgres is terminated (pg_terminate_backend, as an
// admin or a failover does) while 20 list requests, a download, an export build and a statement
// build are in flight. The web and the worker run as real processes and must both survive; the
// requests caught by it answer 200 or a clean 503, every later one succeeds, the download
// completes byte for byte, and the export and the statement each end READY once, with every row.
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb, type Db } from '../../db/index.ts';
import { readSummary } from '../../src/lib/server/statements/build.ts';
import { addDays, businessDate, startOfBusinessDate } from '../../src/lib/time.ts';
import { closeRedis, createWorkerConnection } from '../../src/lib/server/queue/redis.ts';
import { adminQuery, buildCopy, call, createSeededDatabase, shown, signIn, startWeb, startWorker, uniqueName, until, type Proc } from './harness.ts';
import { demoAdmin, readAll, storeDownload, type Download } from './files.ts';
import { buildsWaitingAtChunks } from '../fixtures/builds.ts';

const SERVER = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = uniqueName('term');
const PREFIX = `mbfault:${NAME}`;
let url: string;
let db: Db;
let web: Proc & { base: string };
let worker: Proc;
let removeBuild = () => {};
let cookie: string;
let download: Download;
let merchantId: bigint;

const today = businessDate(new Date());
const exportFilter = { from: addDays(today, -4), to: today };
const statementDate = addDays(today, -1);
const listInput = { filter: { merchantOrderNo: '', userNo: '', txnType: '', status: '', from: addDays(today, -6), to: today }, page: 1, pageSize: 20 };
const list = () => call(web.base, cookie, 'payments.list', listInput);
const logs = () => `web:\n${web?.output()}\nworker:\n${worker?.output()}`;

beforeAll(async () => {
	url = await createSeededDatabase(SERVER, NAME);
	db = createDb(url, 2);
	merchantId = (await demoAdmin(db)).merchantId;
	await db.deleteFrom('statements').where('merchant_id', '=', merchantId).where('accounting_date', '=', statementDate).execute();
	download = await storeDownload(db, 6 * 1024 * 1024 + 4321);
	const build = await buildCopy(NAME);
	removeBuild = build.remove;
	const env = { DATABASE_URL: url, REDIS_PREFIX: PREFIX };
	web = await startWeb(build.dir, env);
	// Short leases and locks: the retry of a build cut off by the fault may start within seconds.
	worker = await startWorker({ ...env, WORKER_CONCURRENCY: '1', EXPORT_LEASE_MS: '1500', STATEMENT_LEASE_MS: '1500', WORKER_LOCK_MS: '2000', WORKER_SWEEP_MS: '1000' });
	cookie = await signIn(web.base);
}, 120_000);

afterAll(async () => {
	await Promise.all([web?.stop(), worker?.stop()]);
	await db?.destroy();
	removeBuild();
	await adminQuery(SERVER, `DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
	const redis = createWorkerConnection('mb-fault-cleanup');
	const keys = await redis.keys(`${PREFIX}:*`);
	if (keys.length) await redis.del(...keys);
	await closeRedis(redis);
});

/** The test's own connections, which the fault spares. */
async function connect(): Promise<pg.Client> {
	const c = new pg.Client({ connectionString: url });
	c.on('error', () => {}); // dropped with the database at the end
	await c.connect();
	return c;
}

async function expectedExportRows(): Promise<number> {
	const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE merchant_id = ${merchantId}
		AND created_at >= ${startOfBusinessDate(exportFilter.from)} AND created_at < ${startOfBusinessDate(addDays(exportFilter.to, 1))}`.execute(db);
	return r.rows[0].n;
}

describe('every application connection terminated mid-work', () => {
	it('kills no process, answers 200 or 503, and loses or doubles nothing', async () => {
		// The builds are held at their first chunk write by this lock, so the fault finds them mid-file.
		const blocker = await connect();
		await blocker.query('BEGIN');
		await blocker.query('LOCK TABLE file_chunks IN EXCLUSIVE MODE');
		const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

		const exp = await call<{ id: bigint }>(web.base, cookie, 'exports.create', { list: 'payments', format: 'CSV', filter: exportFilter, columns: [] }, 'POST');
		expect(exp.status, shown(exp.body)).toBe(200);
		const st = await call(web.base, cookie, 'statements.request', { date: statementDate }, 'POST');
		expect(st.status, shown(st.body)).toBe(200);
		await until(
			'both builds to wait at their first chunk',
			async () => (await buildsWaitingAtChunks(db)) >= 2,
			30_000,
			logs
		);

		// This process's own pool loses its connections too, and says so (and lives).
		const dbLog = vi.spyOn(console, 'error').mockImplementation(() => {});
		// A download under way (its first piece read), 20 list requests in flight, then the fault.
		const res = await fetch(`${web.base}/files/${download.fileId}`, { headers: { cookie } });
		expect(res.status).toBe(200);
		let terminated = 0;
		const caught: { status: number; message?: string; retryAfter: string | null }[] = [];
		const reading = readAll(res, 20, async (n) => {
			if (n !== 1) return;
			const lists = Array.from({ length: 20 }, () => list());
			const killer = await connect();
			const r = await killer.query(
				`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
				WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1) AND backend_type = 'client backend'`,
				[blockerPid]
			);
			terminated = r.rows[0].n;
			await killer.end();
			await blocker.query('ROLLBACK');
			caught.push(...(await Promise.all(lists)).map((a) => ({ status: a.status, message: (a.body as { message?: string }).message, retryAfter: a.headers.get('retry-after') })));
		});
		const got = await reading;
		await blocker.end();
		await until('the test pool to reconnect', async () => (await sql`SELECT 1`.execute(db)).rows.length === 1);
		dbLog.mockRestore();

		// web, worker, and the download all came through
		expect(terminated).toBeGreaterThanOrEqual(3); // the web's pools, the worker's, its two builds
		expect(web.alive(), logs()).toBe(true);
		expect(worker.alive(), logs()).toBe(true);
		expect(got).toEqual({ sha256: download.sha256, size: download.size });

		// the requests caught by the fault: served, or refused cleanly and in the catalogue's words
		expect(caught).toHaveLength(20);
		const refused = caught.filter((c) => c.status !== 200);
		expect(refused).toEqual(refused.map(() => ({ status: 503, message: '服务暂时不可用, 请稍后再试', retryAfter: '5' })));
		// every request after it succeeds
		const later = await Promise.all(Array.from({ length: 20 }, () => list()));
		expect(later.map((a) => a.status)).toEqual(Array(20).fill(200));
		expect((await fetch(`${web.base}/healthz`)).status).toBe(200);

		// the export: READY once, every row, one complete file
		const exportId = BigInt(String(exp.body.id));
		const done = await until(
			'the export to be READY',
			async () => {
				const row = await db.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirstOrThrow();
				return row.status === 'READY' && row;
			},
			45_000,
			logs
		);
		expect(done.rows_done).toBe(BigInt(await expectedExportRows()));
		const exportFile = await db.selectFrom('files').select(['id', 'name']).where('id', '=', done.file_id!).executeTakeFirstOrThrow();
		expect(await db.selectFrom('files').select('id').where('name', '=', exportFile.name).where('complete', '=', true).execute()).toEqual([{ id: exportFile.id }]);

		// the statement: READY once, the day's rows, one CSV and one XLSX
		const statement = await until(
			'the statement to be READY',
			async () => {
				const row = await db.selectFrom('statements').selectAll().where('merchant_id', '=', merchantId).where('accounting_date', '=', statementDate).executeTakeFirst();
				return row?.status === 'READY' && row;
			},
			45_000,
			logs
		);
		const summary = await readSummary(db, merchantId, statementDate);
		expect(statement.row_count).toBe(summary.rows);
		const statementFiles = await db
			.selectFrom('files')
			.select('id')
			.where('merchant_id', '=', merchantId)
			.where('name', 'like', `%${statementDate}%`)
			.where('complete', '=', true)
			.orderBy('id')
			.execute();
		expect(statementFiles.map((f) => f.id)).toEqual([statement.csv_file_id, statement.xlsx_file_id].sort((a, b) => Number(a! - b!)));
	}, 90_000);
});
