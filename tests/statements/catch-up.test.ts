// Catch-up (issue 10, item 2): a fresh database with three months of history and no statements
// has every day of the statement window READY after the worker's first run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { startWorkers } from '../../jobs/worker.ts';
import { closeFilePool } from '#shared/server/files/index.ts';
import { closeQueues } from '#shared/server/queue/queues.ts';
import { statementMonth } from '#shared/server/statements/calendar.ts';
import { catchUpStatements, fanOutStatements } from '#shared/server/statements/fan-out.ts';
import { addDays, yesterday } from '#shared/time.ts';

const db = getDb();
let merchants: bigint[];

beforeAll(async () => {
	// The cut-off at midnight: yesterday is due whatever the hour the test runs at.
	process.env.STATEMENT_CLOSE_AFTER_MIN = '0';
	await seedDemo(db, { users: 6, days: 95, ordersPerDay: 4, secondUsers: 2, secondDays: 3, secondOrdersPerDay: 2 });
	merchants = (await db.selectFrom('merchants').select('id').where('status', '=', 'ACTIVE').orderBy('id').execute()).map((m) => m.id);
}, 180_000);

afterAll(async () => {
	delete process.env.STATEMENT_CLOSE_AFTER_MIN;
	await closeQueues();
	await closeFilePool();
});

/** Every calendar day from three months before yesterday to yesterday, as 对账单下载 shows them. */
async function windowDays(merchantId: bigint) {
	const last = yesterday();
	const [y, m] = last.split('-').map(Number);
	const months = [0, 1, 2, 3].map((k) => {
		const i = y * 12 + (m - 1) - k;
		return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
	});
	const days = [];
	for (const month of months) days.push(...(await statementMonth(db, merchantId, month)).days);
	return days.filter((d) => d.state !== 'NOT_DUE' && d.state !== 'OUT_OF_RANGE').sort((a, b) => (a.date < b.date ? -1 : 1));
}

describe('catch-up', () => {
	it('asks for every missing day, oldest first and behind yesterday', async () => {
		expect(await db.selectFrom('statements').select('id').execute()).toEqual([]);
		const calls: { date: string; merchant: bigint; priority?: number }[] = [];
		const record = async (_id: bigint, merchant: bigint, date: string, opts?: { priority?: number }) => {
			calls.push({ date, merchant, priority: opts?.priority });
			return true;
		};
		await fanOutStatements(db, new Date(), record);
		const n = await catchUpStatements(db, new Date(), record);
		const days = await windowDays(merchants[0]);
		// At least three months back (89+ days), ending yesterday.
		expect(days.length).toBeGreaterThanOrEqual(89);
		expect(days.at(-1)!.date).toBe(yesterday());
		expect(days[0].date <= addDays(yesterday(), -89)).toBe(true);
		// Yesterday's builds come first and unprioritised; then the window, oldest day first, each day once per merchant.
		const fanOut = calls.slice(0, merchants.length);
		expect(fanOut.every((c) => c.date === yesterday() && c.priority === undefined)).toBe(true);
		const caught = calls.slice(merchants.length);
		expect(n).toBe(caught.length);
		expect(caught.length).toBe(days.length * merchants.length);
		expect(caught.every((c) => c.priority !== undefined && c.priority > 0)).toBe(true);
		expect(caught.map((c) => c.date)).toEqual([...caught.map((c) => c.date)].sort());
		expect(caught[0].date).toBe(days[0].date);
	});

	it("leaves every day of the window READY after a real worker's first run, empty days included", async () => {
		const running = await startWorkers({ db, concurrency: 2, schedulers: false, sweepMs: 0, log: () => {} });
		try {
			for (const m of merchants)
				await expect
					.poll(async () => (await windowDays(m)).filter((d) => d.state !== 'READY').map((d) => `${d.date}:${d.state}`), { timeout: 240_000, interval: 1_000 })
					.toEqual([]);
		} finally {
			await running.close();
		}
		// The second merchant has three days of history: the rest of its window are empty statements.
		const empty = await db.selectFrom('statements').select('row_count').where('merchant_id', '=', merchants[1]).where('row_count', '=', 0n).execute();
		expect(empty.length).toBeGreaterThan(80);
	}, 300_000);
});
