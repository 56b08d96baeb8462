// 平台账户: the home page's four balance cards and its in/out chart, on money moved through the
// ledger (top-ups, payments, fees, 内部代发, refunds and the end-of-day settlement), as a real
// merchant's money is. Expected amounts are worked out here from the postings, by hand.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import type { Permission } from '#shared/permissions.ts';
import { checkInvariants, completePayment, postRefund } from '#shared/server/ledger/index.ts';
import { MERCHANT_ACCOUNT_TYPES } from '#shared/schemas/accounts.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { callerFor, signedIn } from '../fixtures/context.ts';
import { atHour, pay, settle, topUp, txnNo } from '../fixtures/ledger.ts';
import { makeMerchant, makeStaff, makeUser, type Merchant } from '../fixtures/merchant.ts';
import { outcome } from '../fixtures/outcome.ts';

const db = getDb();
const today = businessDate();

/** A merchant with its admin, and a caller for that admin holding `permissions` (all by default). */
async function merchantWithAdmin(name: string, staffOpts: Parameters<typeof makeStaff>[2] = {}) {
	const merchant = await makeMerchant(db, { name });
	const admin = await makeStaff(db, merchant.id, { isAdmin: true, ...staffOpts });
	return { merchant, admin, caller: (permissions?: readonly Permission[]) => callerFor(db, signedIn(merchant, admin, permissions)) };
}

async function accountIds(merchant: Merchant) {
	const rows = await db.selectFrom('accounts').select(['id', 'account_type', 'sub_type']).where('merchant_id', '=', merchant.id).where('user_id', 'is', null).execute();
	return new Map(rows.map((r) => [`${r.account_type}_${r.sub_type}`, r.id]));
}

describe('accounts.summary', () => {
	it('returns the four accounts in card order, each balance the sum of its flows', async () => {
		const { merchant, caller } = await merchantWithAdmin('余额商户');
		const user = await makeUser(db, merchant.id);
		const y = addDays(today, -1);
		// Yesterday: 100,000 and 5,000 topped up, settled overnight into 可用.
		await topUp(db, merchant.id, 'MCHOWN', 100_000n, atHour(y, 10));
		await topUp(db, merchant.id, 'MCHFEE', 5_000n, atHour(y, 11));
		await settle(db, merchant.id, y);
		// Today: 2,345 paid out to a user from 自有资金 可用; a 777 WeChat payment (fee 100 from 手续费 可用)
		// waits in 自有资金 待结算; a 1 fen guarantee payment sits in 担保 可用 until confirmed.
		await pay(db, merchant.id, { txnType: 'INNER_FUND_EXCHANGE', userId: user.id, payMethod: 'BALANCE', amount: 2_345n, at: atHour(today, 0.1) });
		await pay(db, merchant.id, { txnType: 'GENERAL_CONSUME', amount: 777n, feeAmount: 100n, at: atHour(today, 0.2) });
		await pay(db, merchant.id, { txnType: 'SECURED_CONSUME', amount: 1n, at: atHour(today, 0.3) });
		// A user's money is not the merchant's balance.
		await pay(db, merchant.id, { txnType: 'USER_TOPUP', userId: user.id, amount: 999_999n, at: atHour(today, 0.4) });

		const { accounts } = await caller().accounts.summary();
		expect(accounts.map((a) => a.accountType)).toEqual(['MCHCOUPON', 'MCHFEE', 'MCHOWN', 'MCHASSURE']);
		const by = Object.fromEntries(accounts.map((a) => [a.accountType, a]));
		expect(by.MCHOWN).toMatchObject({ psettle: 777n, available: 100_000n - 2_345n, total: 777n + 97_655n, state: 'NORMAL' });
		expect(by.MCHFEE).toMatchObject({ psettle: 0n, available: 5_000n - 100n, total: 4_900n });
		expect(by.MCHASSURE).toMatchObject({ psettle: 0n, available: 1n, total: 1n });
		expect(by.MCHCOUPON).toMatchObject({ psettle: 0n, available: 0n, total: 0n, state: 'NORMAL' });

		// Cross-check against the flows themselves, per account row.
		const ids = await accountIds(merchant);
		const sums = await db
			.selectFrom('fund_flows')
			.select(['account_id', 'direction', (eb) => eb.fn.sum<string>('amount').as('s')])
			.where('merchant_id', '=', merchant.id)
			.groupBy(['account_id', 'direction'])
			.execute();
		expect(ids.size).toBe(9);
		for (const t of MERCHANT_ACCOUNT_TYPES) {
			for (const sub of ['PSETTLE', 'AVAILABLE'] as const) {
				const id = ids.get(`${t}_${sub}`);
				const net = sums
					.filter((r) => r.account_id === id)
					.reduce((n, r) => n + (r.direction === 'CREDIT' ? 1n : -1n) * BigInt(r.s), 0n);
				expect([t, sub, sub === 'PSETTLE' ? by[t].psettle : by[t].available]).toEqual([t, sub, net]);
			}
		}
		expect(await checkInvariants(db, merchant.id)).toEqual([]);
	});

	it('shows zero for accounts the merchant does not have yet', async () => {
		const { caller } = await merchantWithAdmin('新商户');
		const { accounts } = await caller().accounts.summary();
		expect(accounts).toHaveLength(4);
		for (const a of accounts) expect(a).toMatchObject({ psettle: 0n, available: 0n, total: 0n, state: null });
	});

	it("never shows another merchant's money", async () => {
		const a = await merchantWithAdmin('商户甲');
		const b = await merchantWithAdmin('商户乙');
		await topUp(db, a.merchant.id, 'MCHOWN', 300n, atHour(today, 0.1));
		await topUp(db, b.merchant.id, 'MCHOWN', 88_888_888n, atHour(today, 0.1));
		await topUp(db, b.merchant.id, 'MCHCOUPON', 12_345n, atHour(today, 0.2));

		const callerA = a.caller();
		const { accounts } = await callerA.accounts.summary();
		expect(accounts.reduce((n, x) => n + x.total, 0n)).toBe(300n);
		const io = await callerA.accounts.dailyInOut({ days: 7 });
		expect(io.totals).toEqual({ credit: 300n, debit: 0n });
	});

	it('is FORBIDDEN without accounts.read and UNAUTHORIZED when signed out', async () => {
		const { caller } = await merchantWithAdmin('无权商户');
		const noRead = caller(['payments.read', 'settings.password']);
		expect(await outcome(noRead.accounts.summary())).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		expect(await outcome(noRead.accounts.dailyInOut())).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		expect(await outcome(callerFor(db, null).accounts.summary())).toEqual({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
		expect(await outcome(caller(['accounts.read']).accounts.summary())).toBe('ok');
	});

	it('is FORBIDDEN while the initial password is still unchanged', async () => {
		const { caller } = await merchantWithAdmin('初始密码商户', { mustChangePassword: true });
		expect(await outcome(caller().accounts.summary())).toEqual({ code: 'FORBIDDEN', message: 'error.mustChangePassword' });
	});
});

describe('accounts.dailyInOut', () => {
	it('has exactly `days` entries ending today (Asia/Shanghai), zero days filled', async () => {
		const caller = (await merchantWithAdmin('空白商户')).caller();
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
		const caller = (await merchantWithAdmin('参数商户')).caller();
		for (const days of [6, 91, 7.5]) expect(await outcome(caller.accounts.dailyInOut({ days }))).toMatchObject({ code: 'BAD_REQUEST' });
	});

	it('sums credits and debits per accounting date over the four accounts only', async () => {
		const { merchant, caller } = await merchantWithAdmin('流水商户');
		const m = merchant.id;
		const user = await makeUser(db, m);
		const [d7, d5, d2, d1] = [-7, -5, -2, -1].map((n) => addDays(today, n));

		// Before the 7-day window: 7,000 topped up and settled into 自有资金 可用.
		await topUp(db, m, 'MCHOWN', 7_000n, atHour(d7, 10));
		await settle(db, m, d7);
		// d5: in 10,000 + 2,000; out 1,500 paid to a user (内部代发) from 可用.
		await topUp(db, m, 'MCHOWN', 10_000n, atHour(d5, 9));
		await topUp(db, m, 'MCHFEE', 2_000n, atHour(d5, 10));
		await pay(db, m, { txnType: 'INNER_FUND_EXCHANGE', userId: user.id, payMethod: 'BALANCE', amount: 1_500n, at: atHour(d5, 11) });
		// d1: 333 into 优惠券; a 42 payment ordered at 23:50 on d2 and paid at 00:10 on d1 counts on d1,
		// the day it was paid; the settlement of d1, run after midnight, moves money between 待结算 and
		// 可用 inside each account: neither in nor out.
		await topUp(db, m, 'MCHCOUPON', 333n, atHour(d1, 9));
		const late = await pay(db, m, { txnType: 'GENERAL_CONSUME', status: 'TRADE_WAIT_PAY', amount: 42n, at: atHour(d1, -10 / 60) });
		await completePayment(db, { merchantId: m, platformTxnNo: late.platformTxnNo, at: atHour(d1, 10 / 60) });
		await settle(db, m, d1, atHour(today, 0.05));
		// Today: in 4,000 to 担保 by a guarantee payment, out 1,000 of it refunded.
		const secured = await pay(db, m, { txnType: 'SECURED_CONSUME', amount: 4_000n, at: atHour(today, 0.1) });
		await postRefund(db, {
			merchantId: m,
			platformTxnNo: txnNo('R'),
			refundNo: txnNo('RN'),
			paymentPlatformTxnNo: secured.platformTxnNo,
			amount: 1_000n,
			status: 'TRADE_SUCCESS',
			createdAt: atHour(today, 0.2)
		});
		// Not the merchant's four accounts: the user's 待结算 in, the clearing account out.
		await pay(db, m, { txnType: 'USER_TOPUP', userId: user.id, amount: 50_000n, at: atHour(today, 0.3) });

		const r = await caller().accounts.dailyInOut({ days: 7 });
		const by = Object.fromEntries(r.days.map((d) => [d.date, d]));
		expect(by[d5]).toEqual({ date: d5, credit: 12_000n, debit: 1_500n });
		expect(by[d2]).toEqual({ date: d2, credit: 0n, debit: 0n });
		expect(by[d1]).toEqual({ date: d1, credit: 375n, debit: 0n });
		expect(by[today]).toEqual({ date: today, credit: 4_000n, debit: 1_000n });
		expect(r.totals).toEqual({ credit: 16_375n, debit: 2_500n });
		expect(r.days.filter((d) => d.credit !== 0n || d.debit !== 0n)).toHaveLength(3);

		const wider = await caller().accounts.dailyInOut({ days: 8 });
		expect(wider.totals).toEqual({ credit: 23_375n, debit: 2_500n });
		expect(await checkInvariants(db, m)).toEqual([]);
	});
});
