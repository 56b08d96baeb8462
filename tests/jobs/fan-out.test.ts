import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { fanOutStatements, listActiveMerchants, statementAccountingDate } from '#shared/server/statements/fan-out.ts';
import { statementJobId } from '#shared/server/queue/jobs.ts';

const db = getDb();
let seq = 0;

async function merchant(status: 'ACTIVE' | 'SUSPENDED') {
	seq += 1;
	const no = `20990101${String(process.pid % 10000).padStart(4, '0')}${String(seq).padStart(4, '0')}`;
	return db
		.insertInto('merchants')
		.values({ merchant_no: no, name: `测试商户${seq}`, status })
		.returning('id')
		.executeTakeFirstOrThrow();
}

describe('statement fan-out', () => {
	it('takes yesterday in Asia/Shanghai as the accounting date, whatever the clock zone', () => {
		// 2026-03-01 16:30 UTC is already 2026-03-02 00:30 in Shanghai.
		expect(statementAccountingDate(new Date('2026-03-01T16:30:00Z'))).toBe('2026-03-01');
		// 2026-03-01 15:59 UTC is still 2026-03-01 23:59 in Shanghai.
		expect(statementAccountingDate(new Date('2026-03-01T15:59:00Z'))).toBe('2026-02-28');
		// Across a year boundary.
		expect(statementAccountingDate(new Date('2025-12-31T16:05:00Z'))).toBe('2025-12-31');
	});

	it('lists only active merchants', async () => {
		const a = await merchant('ACTIVE');
		const s = await merchant('SUSPENDED');
		const ids = (await listActiveMerchants(db)).map((m) => m.id);
		expect(ids).toContain(a.id);
		expect(ids).not.toContain(s.id);
	});

	it('records a job_runs row with the accounting date and the active merchant count', async () => {
		await merchant('ACTIVE');
		await merchant('SUSPENDED');
		const active = await db
			.selectFrom('merchants')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('status', '=', 'ACTIVE')
			.executeTakeFirstOrThrow();
		const now = new Date('2026-11-25T16:10:00Z'); // 00:10 on the 26th in Shanghai
		const result = await fanOutStatements(db, now);
		expect(result).toEqual({ accountingDate: '2026-11-25', merchants: Number(active.n) });

		const runs = await db.selectFrom('job_runs').selectAll().where('job_name', '=', 'statements.fanOut').execute();
		expect(runs).toHaveLength(1);
		expect(runs[0].detail).toEqual({ accountingDate: '2026-11-25', merchants: Number(active.n) });
	});

	it('names one job per merchant and day', () => {
		expect(statementJobId(7n, '2026-11-25')).toBe('statement.7.2026-11-25');
		expect(statementJobId(7n, '2026-11-25')).not.toBe(statementJobId(8n, '2026-11-25'));
		expect(statementJobId(7n, '2026-11-25')).not.toBe(statementJobId(7n, '2026-11-24'));
		expect(statementJobId(7n, '2026-11-25')).not.toContain(':');
	});
});
