// The 汇总 by direction and the balance reconciliation (issue 10, item 3) against independent
// SQL over fund_flows, accounts and the order tables, for random seeded days.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../db/index.ts';
import { formatYuan } from '../../src/lib/money.ts';
import { closeFilePool, readFileBytes } from '../../src/lib/server/files/index.ts';
import { buildStatement } from '../../src/lib/server/statements/build.ts';
import { upsertStatement } from '../../src/lib/server/statements/records.ts';
import { csvRows } from '../fixtures/csv.ts';
import { rng } from '../fixtures/rng.ts';
import { seedSmallDemo } from './helpers.ts';

const db = getDb();
let merchantId: bigint;
let days: string[];
const ACCOUNTS: [string, string][] = [
	['MCHCOUPON', '优惠券账户'],
	['MCHFEE', '手续费账户'],
	['MCHOWN', '自有资金账户'],
	['MCHASSURE', '担保账户']
];

beforeAll(async () => {
	({ merchantId } = await seedSmallDemo(db));
	const r = await sql<{ d: string }>`SELECT DISTINCT to_char(accounting_date, 'YYYY-MM-DD') AS d FROM fund_flows
		WHERE merchant_id = ${merchantId} ORDER BY 1`.execute(db);
	const all = r.rows.map((x) => x.d);
	const pick = rng(20261205);
	// Three random days with flows (the demo's first, with no opening balance, among the candidates).
	const chosen = new Set<string>();
	while (chosen.size < Math.min(3, all.length)) chosen.add(all[Math.floor(pick.next() * all.length)]);
	days = [...chosen].sort();
}, 180_000);

afterAll(closeFilePool);

async function statementOf(date: string) {
	const s = await upsertStatement(db, merchantId, date);
	await db.updateTable('statements').set({ status: 'PENDING' }).where('id', '=', s.id).execute();
	const r = await buildStatement(db, s.id);
	if (r.outcome !== 'built') throw new Error(`not built: ${r.outcome}`);
	const lines = csvRows(await readFileBytes(r.csvFileId));
	const blanks = lines.flatMap((l, i) => (l.length === 1 && l[0] === '' ? [i] : []));
	return { summary: lines.slice(blanks[0] + 3, blanks[1]), reconciliation: lines.slice(blanks[1] + 3) };
}

describe('balance reconciliation', () => {
	it('equals opening, credits, debits and closing computed from fund_flows, and every account is 平', async () => {
		expect(days.length).toBe(3);
		for (const date of days) {
			const { reconciliation } = await statementOf(date);
			// Independent: balances start at zero, so the opening is every earlier flow's signed sum.
			const r = await sql<{ account_type: string; opening: bigint; credits: bigint; debits: bigint }>`
				SELECT a.account_type,
					COALESCE(sum(CASE WHEN f.accounting_date < ${date}::date THEN CASE f.direction WHEN 'CREDIT' THEN f.amount ELSE -f.amount END END), 0)::int8 AS opening,
					COALESCE(sum(f.amount) FILTER (WHERE f.accounting_date = ${date}::date AND f.direction = 'CREDIT'), 0)::int8 AS credits,
					COALESCE(sum(f.amount) FILTER (WHERE f.accounting_date = ${date}::date AND f.direction = 'DEBIT'), 0)::int8 AS debits
				FROM accounts a LEFT JOIN fund_flows f ON f.account_id = a.id
				WHERE a.merchant_id = ${merchantId} AND a.user_id IS NULL
				GROUP BY a.account_type`.execute(db);
			const by = new Map(r.rows.map((x) => [x.account_type, x]));
			const expected = ACCOUNTS.map(([type, label]) => {
				const x = by.get(type) ?? { opening: 0n, credits: 0n, debits: 0n };
				return [label, formatYuan(x.opening), formatYuan(x.credits), formatYuan(x.debits), formatYuan(x.opening + x.credits - x.debits), '平'];
			});
			expect(reconciliation).toEqual(expected);
			// Something moved on these days.
			expect(reconciliation.some((l) => l[2] !== '0.00' || l[3] !== '0.00')).toBe(true);
		}
		// The closing of today's balance equals the accounts table once every day is counted.
		const now = await sql<{ account_type: string; balance: bigint }>`SELECT account_type, sum(balance)::int8 AS balance FROM accounts
			WHERE merchant_id = ${merchantId} AND user_id IS NULL GROUP BY 1`.execute(db);
		const flows = await sql<{ account_type: string; net: bigint }>`SELECT a.account_type,
				COALESCE(sum(CASE f.direction WHEN 'CREDIT' THEN f.amount ELSE -f.amount END), 0)::int8 AS net
			FROM accounts a LEFT JOIN fund_flows f ON f.account_id = a.id WHERE a.merchant_id = ${merchantId} AND a.user_id IS NULL GROUP BY 1`.execute(db);
		expect(Object.fromEntries(flows.rows.map((x) => [x.account_type, x.net]))).toEqual(Object.fromEntries(now.rows.map((x) => [x.account_type, x.balance])));
	});

	it('shows 不平 when the ledger does not add up', async () => {
		const date = days[days.length - 1];
		// A flow whose balance_after breaks its account's chain (only a broken ledger could have one).
		const flow = await db.selectFrom('fund_flows').innerJoin('accounts', 'accounts.id', 'fund_flows.account_id')
			.select(['fund_flows.id', 'fund_flows.balance_after', 'accounts.account_type'])
			.where('fund_flows.merchant_id', '=', merchantId).where('fund_flows.accounting_date', '=', date).where('accounts.user_id', 'is', null)
			.orderBy('fund_flows.id', 'desc').limit(1).executeTakeFirstOrThrow();
		await db.updateTable('fund_flows').set({ balance_after: flow.balance_after + 1n }).where('id', '=', flow.id).execute();
		try {
			const { reconciliation } = await statementOf(date);
			const label = ACCOUNTS.find(([t]) => t === flow.account_type)![1];
			expect(reconciliation.find((l) => l[0] === label)![5]).toBe('不平');
		} finally {
			await db.updateTable('fund_flows').set({ balance_after: flow.balance_after }).where('id', '=', flow.id).execute();
		}
	});
});

describe('汇总 by direction', () => {
	it('equals plain SQL sums of the day: money in, refunds, withdrawals/payouts, fees, the net', async () => {
		for (const date of days) {
			const { summary } = await statementOf(date);
			const one = async (q: ReturnType<typeof sql<{ n: bigint; s: bigint }>>) => (await q.execute(db)).rows[0];
			const pay = await one(sql<{ n: bigint; s: bigint }>`SELECT count(*)::int8 AS n, COALESCE(sum(amount), 0)::int8 AS s FROM payments
				WHERE merchant_id = ${merchantId} AND accounting_date = ${date}::date AND status = 'TRADE_SUCCESS'`);
			const payFee = await one(sql<{ n: bigint; s: bigint }>`SELECT 0::int8 AS n, COALESCE(sum(fee_amount), 0)::int8 AS s FROM payments
				WHERE merchant_id = ${merchantId} AND accounting_date = ${date}::date AND status = 'TRADE_SUCCESS'`);
			const ref = await one(sql<{ n: bigint; s: bigint }>`SELECT count(*)::int8 AS n, COALESCE(sum(amount), 0)::int8 AS s FROM refunds
				WHERE merchant_id = ${merchantId} AND accounting_date = ${date}::date AND status = 'TRADE_SUCCESS'`);
			const out = await one(sql<{ n: bigint; s: bigint }>`SELECT count(*)::int8 AS n, COALESCE(sum(amount), 0)::int8 AS s FROM withdrawals
				WHERE merchant_id = ${merchantId} AND accounting_date = ${date}::date`);
			const outFee = await one(sql<{ n: bigint; s: bigint }>`SELECT 0::int8 AS n, COALESCE(sum(fee_amount), 0)::int8 AS s FROM withdrawals
				WHERE merchant_id = ${merchantId} AND accounting_date = ${date}::date`);
			const line = (item: string) => summary.filter((l) => l[0] === item);
			expect(line('收入合计')).toEqual([['收入合计', '', pay.n.toString(), formatYuan(pay.s)]]);
			expect(line('收入').reduce((t, l) => t + BigInt(l[3].replace('.', '')), 0n)).toBe(pay.s);
			expect(line('退款')).toEqual([['退款', '退款', ref.n.toString(), formatYuan(ref.s)]]);
			expect(line('提现/代发').reduce((t, l) => t + BigInt(l[3].replace('.', '')), 0n)).toBe(out.s);
			expect(line('提现/代发').reduce((t, l) => t + BigInt(l[2]), 0n)).toBe(out.n);
			const fees = payFee.s + outFee.s;
			expect(line('手续费')).toEqual([['手续费', '', '', formatYuan(fees)]]);
			expect(line('净额')).toEqual([['净额', '', '', formatYuan(pay.s - ref.s - out.s - fees)]]);
		}
	});
});
