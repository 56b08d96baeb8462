// Many processes (issue 14, item 7): two web processes and two workers on one database and one
// Redis prefix, as a deployment scaled out to more machines would run them. Nothing a person
// does may depend on which web process answers, and no build may run twice however the jobs
// are spread: the Postgres rows, not a process's memory, are the truth.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '#db';
import { closeRedis, createWorkerConnection } from '#shared/server/queue/redis.ts';
import { QUEUES } from '#shared/server/queue/jobs.ts';
import { statementAccountingDate } from '#shared/server/statements/fan-out.ts';
import { DEMO } from '../e2e/helpers.ts';
import { call, shown, signIn, startCluster, until, type Cluster } from './cluster.ts';

let cluster: Cluster;
let db: Db;

beforeAll(async () => {
	cluster = await startCluster({
		webs: 2,
		workers: 2,
		// Six exports of one person at once: the per-person limit is not what this test is about.
		webEnv: { EXPORT_MAX_PENDING: '6' },
		// One job at a time per queue and worker, so two builds at once are in two processes; the
		// sweeps of both workers run all the time, enqueuing again whatever looks unfinished.
		workerEnv: { WORKER_CONCURRENCY: '1', WORKER_SWEEP_MS: '500' }
	});
	db = createDb(cluster.databaseUrl, 2);
}, 180_000);

afterAll(async () => {
	await db?.destroy();
	await cluster?.stop();
}, 60_000);

/** A connection of the test's own, to hold a lock the builds must wait behind. */
async function blocker(table: string): Promise<pg.Client> {
	const c = new pg.Client({ connectionString: cluster.databaseUrl });
	await c.connect();
	await c.query('BEGIN');
	await c.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
	return c;
}

async function waitingOn(table: string): Promise<number> {
	// A file's chunks go in by one COPY per file; a statements row by an INSERT.
	const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
		AND wait_event_type = 'Lock' AND (query ILIKE ${`insert into "${table}"%`} OR query ILIKE ${`COPY ${table} %`})`.execute(db);
	return r.rows[0].n;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('two web processes and two workers on one database and one Redis', () => {
	it('all four processes run, the workers under the one prefix', () => {
		expect(cluster.webs.map((w) => w.alive())).toEqual([true, true]);
		expect(cluster.workers.map((w) => w.alive())).toEqual([true, true]);
		for (const w of cluster.workers) expect(w.output()).toContain(`prefix ${cluster.redisPrefix}`);
	});

	it('a session made on web A works on web B, and signing out on B ends it on A', async () => {
		const [a, b] = cluster.webs;
		const cookie = await signIn(a.base, DEMO);
		const onA = await call<{ merchantNo: string; isAdmin: boolean }>(a.base, cookie, 'auth.me', undefined);
		const onB = await call<{ merchantNo: string; isAdmin: boolean }>(b.base, cookie, 'auth.me', undefined);
		const answer = ({ status, body }: typeof onA) => ({ status, body });
		expect(answer(onA)).toEqual({ status: 200, body: expect.objectContaining({ merchantNo: DEMO.merchantNo, isAdmin: true }) });
		expect(answer(onB)).toEqual(answer(onA));
		// A page, not only the API: B renders the signed-in home page for A's cookie.
		const page = await fetch(`${b.base}/`, { headers: { cookie }, redirect: 'manual' });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain(DEMO.merchantNo);

		expect((await call(b.base, cookie, 'auth.signOut', undefined, 'POST')).status).toBe(200);
		expect((await call(a.base, cookie, 'auth.me', undefined)).status).toBe(401);
		const after = await fetch(`${a.base}/`, { headers: { cookie }, redirect: 'manual' });
		expect(after.status).toBe(303);
		expect(after.headers.get('location')).toMatch(/^\/login/);
	});

	it('six exports requested through both webs are each built once, by both workers, and download from either web', async () => {
		const [a, b] = cluster.webs;
		const cookieA = await signIn(a.base, DEMO);
		const cookieB = await signIn(b.base, DEMO);
		const requests = [
			{ list: 'payments', format: 'CSV' },
			{ list: 'payments', format: 'XLSX' },
			{ list: 'refunds', format: 'CSV' },
			{ list: 'withdrawals', format: 'CSV' },
			{ list: 'flows', format: 'XLSX' },
			{ list: 'users', format: 'CSV' }
		];
		// Every build waits at its first chunk until both workers hold one.
		const lock = await blocker('file_chunks');
		let ids: bigint[];
		try {
			const answers = await Promise.all(
				requests.map((r, i) => {
					const [base, cookie] = i % 2 === 0 ? [a.base, cookieA] : [b.base, cookieB];
					return call<{ id: bigint }>(base, cookie, 'exports.create', { ...r, filter: {}, columns: [] }, 'POST');
				})
			);
			expect(answers.map((x) => x.status), shown(answers)).toEqual([200, 200, 200, 200, 200, 200]);
			ids = answers.map((x) => BigInt(x.body.id));
			await until('a build in each worker', async () => (await waitingOn('file_chunks')) === 2, 30_000, cluster.logs);
			const running = await db.selectFrom('exports').select('lease_owner').where('status', '=', 'RUNNING').execute();
			// leaseOwner() is host:pid:job: two builds at once, one in each worker process.
			const pids = running.map((r) => Number(r.lease_owner!.split(':')[1])).sort();
			expect(pids).toEqual(cluster.workers.map((w) => w.pid).sort());
		} finally {
			await lock.query('ROLLBACK');
			await lock.end();
		}

		const done = await until(
			'all six exports READY',
			async () => {
				const rows = await db.selectFrom('exports').selectAll().where('id', 'in', ids).orderBy('id').execute();
				return rows.every((r) => r.status === 'READY') && rows;
			},
			60_000,
			cluster.logs
		);
		// Claimed once each (a second build would have counted a second attempt), one file each.
		expect(done.map((r) => [r.id, r.status, r.attempts])).toEqual([...ids].sort((x, y) => Number(x - y)).map((id) => [id, 'READY', 1]));
		const merchantId = done[0].merchant_id;
		const files = await db.selectFrom('files').select(['id', 'size', 'sha256', 'complete']).where('merchant_id', '=', merchantId).orderBy('id').execute();
		expect(files.map((f) => f.id)).toEqual(done.map((r) => r.file_id).sort((x, y) => Number(x! - y!)));
		expect(files.every((f) => f.complete)).toBe(true);
		// Each job completed exactly once across the two workers, whatever the sweeps enqueued again.
		// BullMQ logs the completion after the handler has marked the row READY: wait for the lines.
		const completions = () => ids.map((id) => cluster.workers.map((w) => w.output().split(`#export.${id} completed`).length - 1).reduce((s, n) => s + n));
		await until('every export job logged as completed', async () => completions().every((n) => n > 0), 30_000, cluster.logs);
		expect(completions()).toEqual([1, 1, 1, 1, 1, 1]);

		// Each file downloads whole from the web that did not take its request.
		for (const row of done) {
			const [base, cookie] = ids.indexOf(row.id) % 2 === 0 ? [b.base, cookieB] : [a.base, cookieA];
			const res = await fetch(`${base}/files/${row.file_id}`, { headers: { cookie } });
			expect(res.status).toBe(200);
			const bytes = Buffer.from(await res.arrayBuffer());
			const stored = files.find((f) => f.id === row.file_id)!;
			expect([bytes.length, sha256(bytes)]).toEqual([Number(stored.size), stored.sha256]);
		}
	});

	it('the daily statement schedule is registered once by both workers, and two fan-outs at once build each merchant’s day once', async () => {
		const connection = createWorkerConnection('mb-multi-test');
		const queue = new Queue(QUEUES.STATEMENTS, { connection, prefix: cluster.redisPrefix });
		try {
			const schedulers = await queue.getJobSchedulers();
			expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([['statements-daily', '10 0 * * *', 'Asia/Shanghai']]);

			const day = statementAccountingDate();
			const merchants = await db.selectFrom('merchants').select('id').where('status', '=', 'ACTIVE').orderBy('id').execute();
			expect(merchants.length).toBe(2);
			// Both fan-outs wait at their first statements row, so each worker holds one (one
			// statements job at a time per worker) and they then run side by side.
			const lock = await blocker('statements');
			try {
				await queue.add('statements.fanOut', {}, { jobId: 'fanout-run-1' });
				await queue.add('statements.fanOut', {}, { jobId: 'fanout-run-2' });
				await until('a fan-out in each worker', async () => (await waitingOn('statements')) === 2, 30_000, cluster.logs);
			} finally {
				await lock.query('ROLLBACK');
				await lock.end();
			}

			const built = await until(
				"every merchant's day READY",
				async () => {
					const rows = await db.selectFrom('statements').selectAll().where('accounting_date', '=', day).orderBy('merchant_id').execute();
					return rows.length === merchants.length && rows.every((r) => r.status === 'READY') && rows;
				},
				60_000,
				cluster.logs
			);
			expect(built.map((r) => [r.merchant_id, r.attempts])).toEqual(merchants.map((m) => [m.id, 1]));
			const runs = await db.selectFrom('job_runs').select('detail').where('job_name', '=', 'statements.fanOut').execute();
			expect(runs.map((r) => r.detail)).toEqual([
				{ accountingDate: day, merchants: 2 },
				{ accountingDate: day, merchants: 2 }
			]);
			// One CSV and one XLSX per merchant and day, no third file from a second build.
			for (const s of built) {
				const files = await db.selectFrom('files').select('id').where('merchant_id', '=', s.merchant_id).where('name', 'like', `%${day}%`).orderBy('id').execute();
				expect(files.map((f) => f.id)).toEqual([s.csv_file_id, s.xlsx_file_id].sort((x, y) => Number(x! - y!)));
			}
			// The jobs complete in BullMQ just after their last row is READY.
			const states = async () => [await queue.getJobState('fanout-run-1'), await queue.getJobState('fanout-run-2')];
			await until('both fan-out jobs completed', async () => (await states()).every((s) => s === 'completed'), 30_000, cluster.logs);
			expect(await states()).toEqual(['completed', 'completed']);
		} finally {
			await queue.close();
			await closeRedis(connection);
		}
		expect([...cluster.webs, ...cluster.workers].map((p) => p.alive())).toEqual([true, true, true, true]);
	});
});
