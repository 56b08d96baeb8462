import { Queue, QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { assertHandlersComplete, HANDLERS } from '../../jobs/handlers.ts';
import { enqueue } from '#shared/server/queue/enqueue.ts';
import { JOB_NAMES, QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { closeRedis, createWorkerConnection, redisPrefix } from '#shared/server/queue/redis.ts';
import { registerSchedulers } from '../../jobs/schedulers.ts';
import { startWorkers } from '../../jobs/worker.ts';
import { yesterday } from '#shared/time.ts';
import { makeMerchant } from '../fixtures/merchant.ts';
import { dropTestJobs } from '../fixtures/queues.ts';

const db = getDb();

afterAll(async () => {
	await closeQueues();
	// The per-file prefix keeps these keys apart from other files; remove them anyway.
	await dropTestJobs();
});

describe('job registry', () => {
	it('has exactly one handler per job name', () => {
		expect(Object.keys(HANDLERS).sort()).toEqual([...JOB_NAMES].sort());
		expect(() => assertHandlersComplete()).not.toThrow();
	});

	it('refuses to boot when a job name has no handler', () => {
		expect(() => assertHandlersComplete({})).toThrow(`missing [${JOB_NAMES.join(', ')}]`);
		const { 'statements.fanOut': _dropped, ...withoutFanOut } = HANDLERS;
		expect(() => assertHandlersComplete(withoutFanOut)).toThrow('missing [statements.fanOut]');
		expect(() => assertHandlersComplete({ ...HANDLERS, 'no.such.job': async () => null })).toThrow(/unknown \[no\.such\.job\]/);
	});

	it('uses the per-file Redis prefix', () => {
		expect(redisPrefix()).toBe(process.env.REDIS_PREFIX);
		expect(getQueue(QUEUES.STATEMENTS).opts.prefix).toBe(process.env.REDIS_PREFIX);
	});

	it('without REDIS_PREFIX, prefixes by database name, so two databases never share jobs', () => {
		expect(redisPrefix({ DATABASE_URL: 'postgres://app@db.example:5432/shop_a' })).toBe('mb:shop_a');
		expect(redisPrefix({ DATABASE_URL: 'postgres://app@db.example:5432/shop_b' })).toBe('mb:shop_b');
		expect(redisPrefix({ DATABASE_URL: 'postgres://app@db.example:5432/shop_a', REDIS_PREFIX: 'shared' })).toBe('shared');
		// No database in the URL: Postgres takes the user's name, and so does the prefix.
		expect(redisPrefix({ DATABASE_URL: 'postgres://app@db.example:5432' })).toBe('mb:app');
		expect(redisPrefix({})).toBe('mb:merchant_backoffice');
	});
});

describe('schedulers', () => {
	it('registers the daily statement scheduler once, however often it is upserted', async () => {
		const queue = getQueue(QUEUES.STATEMENTS);
		await registerSchedulers(getQueue);
		await registerSchedulers(getQueue);
		expect(await queue.getJobSchedulersCount()).toBe(1);
		// The hourly upkeep lives on the exports queue, also once.
		const exportsQueue = getQueue(QUEUES.EXPORTS);
		expect((await exportsQueue.getJobSchedulers()).map((x) => [x.key, x.name, x.pattern])).toEqual([['upkeep-hourly', 'upkeep.hourly', '5 * * * *']]);
		const [s] = await queue.getJobSchedulers();
		expect(s.key).toBe('statements-daily');
		expect(s.name).toBe('statements.fanOut');
		expect(s.pattern).toBe('10 0 * * *');
		expect(s.tz).toBe('Asia/Shanghai');
		// The next run is 00:10 in Shanghai, i.e. 16:10 UTC the day before.
		const next = new Date(Number(s.next));
		expect(next.getUTCHours()).toBe(16);
		expect(next.getUTCMinutes()).toBe(10);
	});

	it("removes an earlier release's schedule, so the upkeep's old name stops firing", async () => {
		const exportsQueue = getQueue(QUEUES.EXPORTS);
		await exportsQueue.upsertJobScheduler('exports-expire', { pattern: '5 * * * *', tz: 'Asia/Shanghai' }, { name: 'exports.expire', data: {} });
		expect((await exportsQueue.getJobSchedulers()).map((x) => x.key).sort()).toEqual(['exports-expire', 'upkeep-hourly']);
		await registerSchedulers(getQueue);
		expect((await exportsQueue.getJobSchedulers()).map((x) => [x.key, x.name])).toEqual([['upkeep-hourly', 'upkeep.hourly']]);
		// Nor does its next run wait in the queue.
		expect((await exportsQueue.getDelayed()).map((j) => j.name)).toEqual(['upkeep.hourly']);
	});
});

describe('worker', () => {
	it('processes a fan-out job end to end and shuts down cleanly', async () => {
		const lines: string[] = [];
		const running = await startWorkers({ db, concurrency: 1, schedulers: true, log: (l) => lines.push(l) });
		const eventsConn = createWorkerConnection('mb-test-events');
		const events = new QueueEvents(QUEUES.STATEMENTS, { connection: eventsConn, prefix: redisPrefix() });
		try {
			await events.waitUntilReady();
			// The file's database starts with no merchants: two active ones count, a suspended one does not.
			await makeMerchant(db);
			await makeMerchant(db);
			await makeMerchant(db, { status: 'SUSPENDED' });
			// Runs of this job only: the builds the fan-out and its catch-up start write runs of their own.
			const before = await db.selectFrom('job_runs').select('id').where('job_name', '=', 'statements.fanOut').execute();
			const job = await enqueue('statements.fanOut', {});
			const result = await job.waitUntilFinished(events, 15_000);
			expect(result).toEqual({ accountingDate: yesterday(), merchants: 2 });

			const runs = await db.selectFrom('job_runs').selectAll().where('job_name', '=', 'statements.fanOut').execute();
			expect(runs).toHaveLength(before.length + 1);
			expect(runs.at(-1)!.detail).toEqual({ accountingDate: yesterday(), merchants: 2 });
			expect(lines.some((l) => l.includes(`statements/statements.fanOut#${job.id} completed`))).toBe(true);
		} finally {
			await events.close();
			await closeRedis(eventsConn);
			await running.close();
		}
		for (const w of running.workers) {
			expect(w.isRunning()).toBe(false);
			expect(w.closing).toBeTruthy();
		}
	});

	it('fails a job whose name has no handler without retrying it', async () => {
		const running = await startWorkers({ db, concurrency: 1, schedulers: false, log: () => {} });
		const conn = createWorkerConnection('mb-test-q');
		const eventsConn = createWorkerConnection('mb-test-events2');
		const queue = new Queue(QUEUES.EXPORTS, { connection: conn, prefix: redisPrefix() });
		const events = new QueueEvents(QUEUES.EXPORTS, { connection: eventsConn, prefix: redisPrefix() });
		try {
			await events.waitUntilReady();
			const job = await queue.add('no.such.job', {}, { attempts: 3 });
			await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow(/no handler for job no\.such\.job/);
			const failed = await queue.getJob(job.id!);
			expect(failed?.attemptsMade).toBe(1);
		} finally {
			await events.close();
			await queue.close();
			await Promise.all([closeRedis(conn), closeRedis(eventsConn)]);
			await running.close();
		}
	});
});
