// Memory of the production processes as they run: the web (`node build`) idle after the lists'
// warm-up, and the compiled worker (dist/worker.js, `npm run worker`'s command line) idle and at
// its peak while it builds a big export of each format, taken from its queue like any job.
// Read from /proc/<pid>/status: VmRSS now, VmHWM the peak so far.
import { spawn, type ChildProcess } from 'node:child_process';
import { chosenColumns } from '../src/lib/server/exports/specs.ts';
import { enqueueExportBuild } from '../src/lib/server/queue/enqueue.ts';
import { closeQueues } from '../src/lib/server/queue/queues.ts';
import { bundleArgs } from '../scripts/bundle.js';
import { rangeFor } from './exports.ts';
import type { BenchContext } from './lists.ts';
import { procKib } from './proc.ts';
import { printTable } from './table.ts';
import { judged, TARGETS } from './targets.ts';

const mb = (kib: number | undefined) => (kib === undefined ? NaN : kib / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The compiled worker with a Redis prefix of its own, so only the bench's jobs reach it. */
async function startWorker(prefix: string): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
	const child = spawn(process.execPath, bundleArgs('worker'), {
		env: { ...process.env, REDIS_PREFIX: prefix, WORKER_CATCH_UP: '0', WORKER_CONCURRENCY: '1', LOG_LEVEL: 'warn' },
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let err = '';
	child.stderr!.on('data', (b) => (err += b));
	const stop = async () => {
		if (child.exitCode !== null) return;
		const exited = new Promise((r) => child.once('exit', r));
		child.kill('SIGTERM');
		await exited;
	};
	// Ready once its Redis heartbeat exists; a bench run has no log line to wait for (LOG_LEVEL=warn).
	const { createWorkerConnection, closeRedis } = await import('../src/lib/server/queue/redis.ts');
	const redis = createWorkerConnection('mb-bench');
	try {
		for (let i = 0; ; i++) {
			if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${err}`);
			if ((await redis.keys(`${prefix}:*`)).some((k) => k.includes('heartbeat'))) break;
			if (i > 300) throw new Error(`worker not ready after 60 s: ${err}`);
			await sleep(200);
		}
	} catch (e) {
		await stop();
		throw e;
	} finally {
		await closeRedis(redis);
	}
	return { child, stop };
}

/**
 * Prints the memory table; resolves with the number of figures over target.
 * `webPid`: the bench's own `node build` (absent with BASE_URL: someone else's server).
 */
export async function benchMemory(ctx: BenchContext, webPid: number | undefined): Promise<number> {
	const { db, merchant } = ctx;
	const rows: string[][] = [];
	let failures = 0;
	const rss = TARGETS.rssMB;
	const add = (figure: string, value: number, judge: boolean) => {
		const pass = judge ? value <= rss.target : null;
		const target = judge ? `≤ ${rss.target} MB (first ${rss.first} MB)` : 'reported';
		failures += judged({ figure, measured: `${value.toFixed(0)} MB`, spread: '', target, pass });
		rows.push([figure, `${value.toFixed(0)} MB`, target, pass === null ? '' : pass ? 'PASS' : 'FAIL']);
	};

	if (webPid) {
		add('web (node build) RSS, idle after the warm-up', mb(procKib(webPid, 'VmRSS')), false);
		add('web (node build) peak RSS so far (VmHWM)', mb(procKib(webPid, 'VmHWM')), false);
	} else console.log('memory: the server is BASE_URL (not ours): its RSS is not read');

	// The export rows the worker builds: the same million payments as the export figures.
	const admin = await db.selectFrom('staff').select('id').where('merchant_id', '=', merchant.id).where('is_admin', '=', true).executeTakeFirstOrThrow();
	const columns = chosenColumns('payments', []).map((c) => c.key);
	const big = await rangeFor(ctx, 1_000_000);
	const made: bigint[] = [];
	const savedPrefix = process.env.REDIS_PREFIX;
	const prefix = `mbbench:${process.pid}`;
	process.env.REDIS_PREFIX = prefix; // where enqueueExportBuild puts the job: the bench worker's queue
	try {
		for (const format of ['CSV', 'XLSX'] as const) {
			const worker = await startWorker(prefix);
			try {
				await sleep(2_000);
				if (format === 'CSV') add('worker (dist/worker.js) RSS, idle after start', mb(procKib(worker.child.pid, 'VmRSS')), true);
				const row = await db
					.insertInto('exports')
					.values({ merchant_id: merchant.id, staff_id: admin.id, list_key: 'payments', format, filter: JSON.stringify({ from: big.from, to: big.to }), columns, rows_total: BigInt(big.expected) })
					.returning('id')
					.executeTakeFirstOrThrow();
				made.push(row.id);
				await enqueueExportBuild(row.id);
				const t0 = Date.now();
				for (;;) {
					const e = await db.selectFrom('exports').select(['status', 'rows_done', 'error']).where('id', '=', row.id).executeTakeFirstOrThrow();
					if (e.status === 'READY') break;
					if (e.status === 'FAILED') throw new Error(`the worker's ${format} export failed: ${e.error}`);
					if (Date.now() - t0 > 600_000) throw new Error(`the worker's ${format} export did not finish in 10 min`);
					await sleep(100);
				}
				add(`worker peak RSS (VmHWM) building a ${format} export of ${big.expected} rows`, mb(procKib(worker.child.pid, 'VmHWM')), true);
			} finally {
				await worker.stop();
			}
		}
	} finally {
		await closeQueues();
		if (savedPrefix === undefined) delete process.env.REDIS_PREFIX;
		else process.env.REDIS_PREFIX = savedPrefix;
		const { createWorkerConnection, closeRedis } = await import('../src/lib/server/queue/redis.ts');
		const redis = createWorkerConnection('mb-bench');
		const keys = await redis.keys(`${prefix}:*`);
		if (keys.length) await redis.del(...keys);
		await closeRedis(redis);
		if (made.length) {
			const files = await db.selectFrom('exports').select('file_id').where('id', 'in', made).execute();
			await db.deleteFrom('exports').where('id', 'in', made).execute();
			const ids = files.map((f) => f.file_id).filter((x): x is bigint => x !== null);
			if (ids.length) await db.deleteFrom('files').where('id', 'in', ids).execute();
		}
	}
	console.log('\nprocess memory (compiled worker, node build):');
	printTable(['memory figure', 'measured', 'target', ''], rows);
	return failures;
}
