// `npm run worker` as production runs it: the esbuild bundle dist/worker.js under plain Node (no
// tsx, no SvelteKit). It boots at a lower CPU priority, builds an export requested through the API with every row, and
// stops on SIGTERM with exit 0; started in a session of its own, it lowers that session's autogroup.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { getPriority } from 'node:os';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedBig } from '#seed/big.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { readFileBytes } from '#shared/server/files/index.ts';
import { closeQueues } from '#shared/server/queue/queues.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { bundleArgs, bundleIfStale, bundlePath } from '../../scripts/bundle.js';
import { autogroupNice, sessionIdOf } from '../../db/autogroup.ts';
import { adminOf, contextFor } from '../fixtures/context.ts';
import { startWorker } from '../fixtures/processes.ts';
import { dropTestJobs } from '../fixtures/queues.ts';

const db = getDb();
const today = businessDate(new Date());
const filter = { from: addDays(today, -1), to: today };
let merchantId: bigint;
let child: ChildProcess | undefined;

beforeAll(async () => {
	await bundleIfStale(['worker']);
	merchantId = (await seedBig(db, { orders: 3_000, days: 2, users: 50 })).merchantId!;
}, 120_000);

afterAll(async () => {
	child?.kill('SIGKILL');
	await closeQueues();
	await dropTestJobs();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, output: () => string, ms = 60_000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await probe();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${output()}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

describe('the compiled worker process', () => {
	it('boots from dist/worker.js, builds an export with every row, and exits 0 on SIGTERM', async () => {
		expect(existsSync(bundlePath('worker'))).toBe(true);
		const args = bundleArgs('worker');
		expect(args.at(-1)).toBe(bundlePath('worker'));
		child = spawn(process.execPath, args, { env: { ...process.env, WORKER_CONCURRENCY: '1', WORKER_CATCH_UP: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout!.on('data', (b) => (out += b));
		child.stderr!.on('data', (b) => (out += b));
		const output = () => out;
		await until('the worker to be ready', async () => out.includes('worker ready') || child!.exitCode !== null, output);
		expect(child.exitCode, out).toBeNull();
		expect(out).toContain(`prefix ${process.env.REDIS_PREFIX}`);
		// Nothing of tsx in the process: its command line is node and the bundle.
		const cmdline = (await import('node:fs')).readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
		expect(cmdline).toContain(bundlePath('worker'));
		expect(cmdline.join(' ')).not.toContain('tsx');
		// Builds leave the CPU to the web: the worker runs at the default BUILD_NICE.
		expect(getPriority(child.pid!)).toBe(10);

		const caller = createCaller(contextFor(db, await adminOf(db, merchantId), { ip: null }));
		const { id } = await caller.exports.create({ list: 'payments', format: 'CSV', filter, columns: [] });
		const done = await until(
			'the export to be READY',
			async () => {
				const row = await db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
				return row.status === 'READY' && row;
			},
			output
		);
		// What the list's own filter matches, counted independently of the export code.
		const counted = await sql<{ n: string }>`SELECT count(*)::text AS n FROM payments
			WHERE merchant_id = ${merchantId} AND created_at >= ${startOfBusinessDate(filter.from)} AND created_at < ${startOfBusinessDate(addDays(filter.to, 1))}`.execute(db);
		const expected = Number(counted.rows[0].n);
		expect(expected).toBeGreaterThan(1_000);
		expect(done.rows_done).toBe(BigInt(expected));
		const text = (await readFileBytes(done.file_id!)).toString('utf8');
		expect(text.split('\n').filter((l) => l !== '')).toHaveLength(expected + 1);
		// The row turns READY inside the handler; BullMQ logs the job completed only after it returns.
		const completed = `job exports/exports.build#export.${id} completed`;
		await until('the job-completed log line', async () => out.includes(completed), output, 10_000);

		child.kill('SIGTERM');
		const [code] = await once(child, 'exit');
		expect(code, out).toBe(0);
		expect(out).toContain('worker: stopped');
	}, 120_000);

	// Autogroups share the CPU between sessions before nice counts (db/autogroup.ts): started in
	// a session of its own, the worker lowers that session's group; sharing one, it leaves it be.
	it("in a session of its own it lowers its autogroup to the build nice; sharing the caller's session it leaves the caller's group alone", async () => {
		// Whatever group the runner is in (a CI runner below no setsid is in the root group, whose
		// file is empty), the shared worker must leave it as it found it.
		const before = autogroupNice('self');
		expect(before).not.toBe(10);
		const own = await startWorker({}, 'own session', undefined, { detached: true });
		const shared = await startWorker({}, 'shared session');
		try {
			expect(sessionIdOf(own.pid)).toBe(own.pid);
			expect(autogroupNice(own.pid)).toBe(10);
			expect(own.output()).toContain("its session's autogroup runs at nice 10");
			expect(sessionIdOf(shared.pid)).toBe(sessionIdOf('self'));
			expect(shared.output()).toContain('shares session');
			// The test's own group (which the shared worker is in) is untouched.
			expect(autogroupNice('self')).toBe(before);
			expect(autogroupNice(shared.pid)).toBe(before);
		} finally {
			await Promise.all([own.stop(), shared.stop()]);
		}
	}, 60_000);
});
