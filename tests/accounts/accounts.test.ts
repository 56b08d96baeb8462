import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../db/index.ts';
import { createCaller } from '../../src/lib/server/api/root.ts';
import { addDays, businessDate, startOfBusinessDate } from '../../src/lib/time.ts';
import { MERCHANT_ACCOUNT_TYPES } from '../../src/lib/schemas/accounts.ts';
import { contextFor, createAccount, createMerchant, createUser, postFlow } from './factory.ts';

const db = getDb();

async function codeOf(p: Promise<unknown>): Promise<string> {
	try {
		await p;
	} catch (e) {
		if (e instanceof TRPCError) return e.code;
		throw e;
	}
	return 'OK';
}

/** A merchant with all eight own account rows, plus a user account and a clearing account. */
async function merchantWithAccounts(name: string) {
	const merchant = await createMerchant(db, name);
	const ids: Record<string, bigint> = {};
	for (const t of MERCHANT_ACCOUNT_TYPES)
		for (const s of ['PSETTLE', 'AVAILABLE'] as const) ids[`${t}_${s}`] = await createAccount(db, merchant.id, t, s);
	const userId = await createUser(db, merchant.id);
	ids.USEROWN_AVAILABLE = await createAccount(db, merchant.id, 'USEROWN', 'AVAILABLE', userId);
	ids.CLEARING_AVAILABLE = await createAccount(db, merchant.id, 'CLEARING', 'AVAILABLE');
	return { merchant, ids };
}

describe('accounts.summary', () => {
	it('returns the four accounts in card order, each balance the sum of its flows', async () => {
		const { merchant, ids } = await merchantWithAccounts('余额商户');
		const today = businessDate();
		const y = addDays(today, -1);
		await postFlow(db, merchant.id, ids.MCHOWN_AVAILABLE, { direction: 'CREDIT', amount: 100_000n, accountingDate: y });
		await postFlow(db, merchant.id, ids.MCHOWN_AVAILABLE, { direction: 'DEBIT', amount: 2_345n, accountingDate: today });
		await postFlow(db, merchant.id, ids.MCHOWN_PSETTLE, { direction: 'CREDIT', amount: 777n, accountingDate: today });
		await postFlow(db, merchant.id, ids.MCHFEE_AVAILABLE, { direction: 'CREDIT', amount: 5_000n, accountingDate: today });
		await postFlow(db, merchant.id, ids.MCHASSURE_PSETTLE, { direction: 'CREDIT', amount: 1n, accountingDate: today });
		// A user's money and the clearing account are not the merchant's balances.
		await postFlow(db, merchant.id, ids.USEROWN_AVAILABLE, { direction: 'CREDIT', amount: 999_999n, accountingDate: today });

		const { accounts } = await createCaller(contextFor(db, merchant)).accounts.summary();
		expect(accounts.map((a) => a.accountType)).toEqual(['MCHCOUPON', 'MCHFEE', 'MCHOWN', 'MCHASSURE']);
		const by = Object.fromEntries(accounts.map((a) => [a.accountType, a]));
		expect(by.MCHOWN).toMatchObject({ psettle: 777n, available: 97_655n, total: 98_432n, state: 'NORMAL' });
		expect(by.MCHFEE).toMatchObject({ psettle: 0n, available: 5_000n, total: 5_000n });
		expect(by.MCHASSURE).toMatchObject({ psettle: 1n, available: 0n, total: 1n });
		expect(by.MCHCOUPON).toMatchObject({ psettle: 0n, available: 0n, total: 0n });

		// Cross-check against the flows themselves, per account row.
		const sums = await db
			.selectFrom('fund_flows')
			.select(['account_id', 'direction', (eb) => eb.fn.sum<string>('amount').as('s')])
			.where('merchant_id', '=', merchant.id)
			.groupBy(['account_id', 'direction'])
			.execute();
		for (const t of MERCHANT_ACCOUNT_TYPES) {
			for (const sub of ['PSETTLE', 'AVAILABLE'] as const) {
				const id = ids[`${t}_${sub}`];
				const net = sums
					.filter((r) => r.account_id === id)
					.reduce((n, r) => n + (r.direction === 'CREDIT' ? 1n : -1n) * BigInt(r.s), 0n);
				expect(sub === 'PSETTLE' ? by[t].psettle : by[t].available).toBe(net);
			}
		}
	});

	it('shows zero for accounts the merchant does not have yet', async () => {
		const merchant = await createMerchant(db, '新商户');
		const { accounts } = await createCaller(contextFor(db, merchant)).accounts.summary();
		expect(accounts).toHaveLength(4);
		for (const a of accounts) expect(a).toMatchObject({ psettle: 0n, available: 0n, total: 0n, state: null });
	});

	it("never shows another merchant's money", async () => {
		const a = await merchantWithAccounts('商户甲');
		const b = await merchantWithAccounts('商户乙');
		const today = businessDate();
		await postFlow(db, a.merchant.id, a.ids.MCHOWN_AVAILABLE, { direction: 'CREDIT', amount: 300n, accountingDate: today });
		await postFlow(db, b.merchant.id, b.ids.MCHOWN_AVAILABLE, { direction: 'CREDIT', amount: 88_888_888n, accountingDate: today });
		await postFlow(db, b.merchant.id, b.ids.MCHCOUPON_PSETTLE, { direction: 'CREDIT', amount: 12_345n, accountingDate: today });

		const callerA = createCaller(contextFor(db, a.merchant));
		const { accounts } = await callerA.accounts.summary();
		expect(accounts.reduce((n, x) => n + x.total, 0n)).toBe(300n);
		const io = await callerA.accounts.dailyInOut({ days: 7 });
		expect(io.totals).toEqual({ credit: 300n, debit: 0n });
	});

	it('is FORBIDDEN without accounts.read and UNAUTHORIZED when signed out', async () => {
		const merchant = await createMerchant(db, '无权商户');
		const noRead = createCaller(contextFor(db, merchant, ['payments.read', 'settings.password']));
		expect(await codeOf(noRead.accounts.summary())).toBe('FORBIDDEN');
		expect(await codeOf(noRead.accounts.dailyInOut())).toBe('FORBIDDEN');
		const signedOut = createCaller({ ...contextFor(db, merchant), auth: null });
		expect(await codeOf(signedOut.accounts.summary())).toBe('UNAUTHORIZED');
		const withRead = createCaller(contextFor(db, merchant, ['accounts.read']));
		expect(await codeOf(withRead.accounts.summary())).toBe('OK');
	});

	it('is FORBIDDEN while the initial password is still unchanged', async () => {
		const merchant = await createMerchant(db, '初始密码商户');
		const ctx = contextFor(db, merchant);
		ctx.auth!.staff.mustChangePassword = true;
		expect(await codeOf(createCaller(ctx).accounts.summary())).toBe('FORBIDDEN');
	});
});

describe('accounts.dailyInOut', () => {
	it('has exactly `days` entries ending today (Asia/Shanghai), zero days filled', async () => {
		const merchant = await createMerchant(db, '空白商户');
		const caller = createCaller(contextFor(db, merchant));
		const today = businessDate();
		for (const days of [7, 30, 90]) {
			const r = await caller.accounts.dailyInOut({ days });
			expect(r.days).toHaveLength(days);
			expect(r.to).toBe(today);
			expect(r.from).toBe(addDays(today, -(days - 1)));
			expect(r.days[0].date).toBe(r.from);
			expect(r.days.at(-1)!.date).toBe(today);
			for (let i = 1; i < r.days.length; i++) expect(r.days[i].date).toBe(addDays(r.days[i - 1].date, 1));
			expect(r.days.every((d) => d.credit === 0n && d.debit === 0n)).toBe(true);
		}
		expect((await caller.accounts.dailyInOut()).days).toHaveLength(30);
	});

	it('refuses a period outside 7..90 days', async () => {
		const merchant = await createMerchant(db, '参数商户');
		const caller = createCaller(contextFor(db, merchant));
		expect(await codeOf(caller.accounts.dailyInOut({ days: 6 }))).toBe('BAD_REQUEST');
		expect(await codeOf(caller.accounts.dailyInOut({ days: 91 }))).toBe('BAD_REQUEST');
		expect(await codeOf(caller.accounts.dailyInOut({ days: 7.5 }))).toBe('BAD_REQUEST');
	});

	it('sums credits and debits per accounting date over the four accounts only', async () => {
		const { merchant, ids } = await merchantWithAccounts('流水商户');
		const today = businessDate();
		const d1 = addDays(today, -1);
		const d5 = addDays(today, -5);
		const post = (id: bigint, direction: 'CREDIT' | 'DEBIT', amount: bigint, accountingDate: string, extra = {}) =>
			postFlow(db, merchant.id, id, { direction, amount, accountingDate, ...extra });

		await post(ids.MCHOWN_AVAILABLE, 'CREDIT', 10_000n, d5);
		await post(ids.MCHFEE_AVAILABLE, 'CREDIT', 2_000n, d5);
		await post(ids.MCHOWN_AVAILABLE, 'DEBIT', 1_500n, d5);
		await post(ids.MCHCOUPON_PSETTLE, 'CREDIT', 333n, d1);
		await post(ids.MCHASSURE_PSETTLE, 'CREDIT', 4_000n, today);
		await post(ids.MCHASSURE_PSETTLE, 'DEBIT', 1_000n, today);
		// Booked 23:50 the day before its accounting date: counted on the accounting date.
		await post(ids.MCHOWN_AVAILABLE, 'CREDIT', 42n, d1, { createdAt: new Date(startOfBusinessDate(d1).getTime() - 10 * 60_000) });
		// End-of-day settlement moves 待结算 → 可用 inside one account: neither in nor out.
		await post(ids.MCHCOUPON_PSETTLE, 'DEBIT', 333n, d1, { txnType: 'DAILY_SETTLEMENT' });
		await post(ids.MCHCOUPON_AVAILABLE, 'CREDIT', 333n, d1, { txnType: 'DAILY_SETTLEMENT' });
		// Not the merchant's four accounts.
		await post(ids.USEROWN_AVAILABLE, 'CREDIT', 50_000n, today);
		await post(ids.CLEARING_AVAILABLE, 'DEBIT', 60_000n, today);
		// Before the 7-day window.
		await post(ids.MCHOWN_AVAILABLE, 'CREDIT', 7_000n, addDays(today, -7));

		const r = await createCaller(contextFor(db, merchant)).accounts.dailyInOut({ days: 7 });
		const by = Object.fromEntries(r.days.map((d) => [d.date, d]));
		expect(by[d5]).toEqual({ date: d5, credit: 12_000n, debit: 1_500n });
		expect(by[d1]).toEqual({ date: d1, credit: 375n, debit: 0n });
		expect(by[today]).toEqual({ date: today, credit: 4_000n, debit: 1_000n });
		expect(r.totals).toEqual({ credit: 16_375n, debit: 2_500n });
		expect(r.days.filter((d) => d.credit !== 0n || d.debit !== 0n)).toHaveLength(3);

		const wider = await createCaller(contextFor(db, merchant)).accounts.dailyInOut({ days: 8 });
		expect(wider.totals).toEqual({ credit: 23_375n, debit: 2_500n });
	});
});
