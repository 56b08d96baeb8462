// A worker process SIGKILLed in the middle of writing an export's file: another worker takes
// the job over (BullMQ stalled-job recovery, the row's lease run out) and finishes it once,
// with every row, and no half file is ever attached to the export. Then: Redis loses every
// key while an export waits, and the worker's sweep puts the job back from the Postgres row;
// a request made while Redis is unreachable is kept the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedBig } from '#seed/big.ts';
import { exportJobId, QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { requeueUnfinished } from '../../jobs/handlers.ts';
import { closeRedis, createWorkerConnection, redisPrefix } from '#shared/server/queue/redis.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { readFileBytes } from '#shared/server/files/index.ts';
import { captureLogs } from '#shared/server/log.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { adminOf, contextFor } from '../fixtures/context.ts';
import { bundleArgs, bundleIfStale } from '../../scripts/bundle.js';
import { buildsWaitingAtChunks } from '../fixtures/builds.ts';

const db = getDb();
const today = businessDate(new Date());
const filter = { from: addDays(today, -4), to: today };
let merchantId: bigint;
let caller: ReturnType<typeof createCaller>;
const children = new Set<ChildProcess>();

async function dropRedisKeys(): Promise<number> {
	const redis = createWorkerConnection('mb-test-cleanup');
	try {
		const keys = await redis.keys(`${redisPrefix()}:*`);
		if (keys.length) await redis.del(...keys);
		return keys.length;
	} finally {
		await closeRedis(redis);
	}
}

/** `npm run worker` (compiled, dist/worker.js) as its own process, with short leases so a takeover comes within seconds. */
function startWorker(): { child: ChildProcess; output: () => string } {
	const child = spawn(process.execPath, bundleArgs('worker'), {
		env: { ...process.env, WORKER_CONCURRENCY: '1', WORKER_CATCH_UP: '0', EXPORT_LEASE_MS: '1500', WORKER_LOCK_MS: '2000', WORKER_SWEEP_MS: '1000' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	children.add(child);
	child.once('exit', () => children.delete(child));
	let out = '';
	child.stdout!.on('data', (b) => (out += b));
	child.stderr!.on('data', (b) => (out += b));
	return { child, output: () => out };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 60_000, extra = () => ''): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await probe();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${extra()}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

const exportRow = (id: bigint) => db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** The export's row once it is READY. */
const ready = (id: bigint, what: string, output: () => string) =>
	until(
		what,
		async () => {
			const row = await exportRow(id);
			return row.status === 'READY' && row;
		},
		60_000,
		output
	);

/** What the list's own filter matches, counted independently of the export code. */
async function expectedRows(): Promise<number> {
	const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM payments
		WHERE merchant_id = ${merchantId} AND created_at >= ${startOfBusinessDate(filter.from)} AND created_at < ${startOfBusinessDate(addDays(filter.to, 1))}`.execute(db);
	return Number(r.rows[0].n);
}

beforeAll(async () => {
	await bundleIfStale(['worker']);
	// ~30k payments over five days: a CSV of ~3 MB, so file chunks are written while rows still stream.
	const seeded = await seedBig(db, { orders: 30_000, days: 5, users: 200 });
	merchantId = seeded.merchantId!;
	caller = createCaller(contextFor(db, await adminOf(db, merchantId), { ip: null }));
}, 120_000);

afterAll(async () => {
	for (const c of children) c.kill('SIGKILL');
	await closeQueues();
	await dropRedisKeys();
});

describe('a worker killed mid-export', () => {
	it('is taken over by another worker, which finishes the export once with every row', async () => {
		const expected = await expectedRows();
		expect(expected).toBeGreaterThan(20_000);

		// Chunk writes wait behind this lock, so the first worker is caught with rows streamed
		// and progress recorded but its file unfinished.
		const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
		await blocker.connect();
		await blocker.query('BEGIN');
		await blocker.query('LOCK TABLE file_chunks IN EXCLUSIVE MODE');

		const { id } = await caller.exports.create({ list: 'payments', format: 'CSV', filter, columns: [] });
		const a = startWorker();
		const blockedRow = await until(
			'the first worker to be mid-file',
			async () => {
				const row = await exportRow(id);
				return row.status === 'RUNNING' && row.rows_done > 0n && (await buildsWaitingAtChunks(db)) > 0 && row;
			},
			60_000,
			a.output
		);
		expect(blockedRow.attempts).toBe(1);
		expect(blockedRow.rows_done).toBeLessThan(BigInt(expected));
		expect(blockedRow.file_id).toBeNull();

		a.child.kill('SIGKILL');
		await once(a.child, 'exit');
		await blocker.query('ROLLBACK');
		await blocker.end();

		const b = startWorker();
		const done = await ready(id, 'the second worker to finish the export', () => `first worker:\n${a.output()}\nsecond worker:\n${b.output()}`);
		expect(done.rows_done).toBe(BigInt(expected));
		expect(done.rows_total).toBe(BigInt(expected));
		expect(done.attempts).toBe(2); // claimed by the killed worker, then by the second
		expect(done.error).toBeNull();

		// One complete file, attached to the export, holding the header and every row.
		const file = await db.selectFrom('files').selectAll().where('id', '=', done.file_id!).executeTakeFirstOrThrow();
		expect(file.complete).toBe(true);
		const text = (await readFileBytes(file.id)).toString('utf8');
		expect(text.split('\n').filter((l) => l !== '')).toHaveLength(expected + 1);
		const complete = await db.selectFrom('files').select('id').where('name', '=', file.name).where('complete', '=', true).execute();
		expect(complete).toEqual([{ id: file.id }]);

		// The job completed once, in the second worker; the first never finished it.
		const job = await getQueue(QUEUES.EXPORTS).getJob(exportJobId(id));
		expect(await job?.getState()).toBe('completed');
		expect(b.output().split(`#${exportJobId(id)} completed`)).toHaveLength(2);
		expect(a.output()).not.toContain(`#${exportJobId(id)} completed`);

		b.child.kill('SIGTERM');
		const [code] = await once(b.child, 'exit');
		expect(code).toBe(0);
	}, 180_000);
});

describe('Redis losing its data while an export waits', () => {
	it('loses nothing: the worker puts the job back from the Postgres row and builds it', async () => {
		const { id } = await caller.exports.create({ list: 'payments', format: 'XLSX', filter, columns: [] });
		expect(await getQueue(QUEUES.EXPORTS).getJob(exportJobId(id))).toBeDefined();
		// A Redis restart without persistence: every queue, job and schedule of ours is gone.
		await closeQueues();
		expect(await dropRedisKeys()).toBeGreaterThan(0);
		expect(await getQueue(QUEUES.EXPORTS).getJob(exportJobId(id))).toBeUndefined();

		const w = startWorker();
		const done = await ready(id, 'the export to be built after the keys were lost', w.output);
		expect(done.rows_done).toBe(BigInt(await expectedRows()));
		expect(w.output()).toContain('sweep: 1 export(s) and 0 statement(s) had no job; enqueued again');
		w.child.kill('SIGTERM');
		await once(w.child, 'exit');
	}, 120_000);

	it('a request made while Redis is unreachable still succeeds: the row waits and the sweep enqueues it', async () => {
		await closeQueues();
		const saved = process.env.REDIS_URL;
		process.env.REDIS_URL = 'redis://127.0.0.1:1'; // nothing listens there
		// What the operator sees in the web process's log: the outage, once, and the request left to the sweep.
		const capture = captureLogs('warn');
		let id: bigint;
		let logged: { errors: string[]; warnings: string[] };
		try {
			({ id } = await caller.exports.create({ list: 'payments', format: 'CSV', filter, columns: [] }));
		} finally {
			await closeQueues();
			const messages = (level: string) => capture.entries().filter((e) => e.level === level).map((e) => String(e.msg));
			logged = { errors: messages('error'), warnings: messages('warn') };
			capture.stop();
			if (saved === undefined) delete process.env.REDIS_URL;
			else process.env.REDIS_URL = saved;
		}
		expect(logged.errors).toContain('[redis] mb-web: connect ECONNREFUSED 127.0.0.1:1 (reconnecting)');
		for (const line of logged.errors) expect(line).toMatch(/^\[redis\] mb-web: /);
		expect(logged.warnings).toHaveLength(1);
		expect(logged.warnings[0]).toMatch(new RegExp(`^\\[jobs\\] export ${id} not enqueued now \\(.+\\); a worker's sweep will enqueue it$`));
		expect((await exportRow(id)).status).toBe('QUEUED');
		expect(await getQueue(QUEUES.EXPORTS).getJob(exportJobId(id))).toBeUndefined();
		expect(await requeueUnfinished(db)).toEqual({ exports: 1, statements: 0 });
		expect(await (await getQueue(QUEUES.EXPORTS).getJob(exportJobId(id)))?.getState()).toBe('waiting');
		// A second sweep finds the job there and adds nothing.
		expect(await requeueUnfinished(db)).toEqual({ exports: 0, statements: 0 });
	});
});

