// Details as the manual reads them (issue 12). 资金流水信息 (points 4 and 7): 记账类型 is the
// posting mode, 交易单类型 is 入账/出账, and 开始时间 / 结束时间 are the order's creation and
// completion (a settlement's own posting time). The withdrawal detail (point 9) names its payer
// for the 付款方信息 section, and its card masked as the manual masks cards (point 8).
// Money posted through the ledger, read through the API.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { completePayment, postWithdrawal } from '#shared/server/ledger/index.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { callerFor, signedIn } from '../fixtures/context.ts';
import { atHour, pay, settle, topUp, txnNo } from '../fixtures/ledger.ts';
import { makeMerchant, makeStaff, makeUser } from '../fixtures/merchant.ts';

const db = getDb();

describe('flows.get: 记账类型, 交易单类型, 开始时间, 结束时间', () => {
	it('reads each flow the way the manual does', async () => {
		const m = await makeMerchant(db);
		const caller = callerFor(db, signedIn(m, await makeStaff(db, m.id)));
		const yesterday = addDays(businessDate(new Date()), -1);
		const flowsOf = (orderNo: string) => db.selectFrom('fund_flows').select(['id', 'account_type', 'sub_type', 'direction']).where('merchant_id', '=', m.id).where('order_no', '=', orderNo).where('account_type', '<>', 'CLEARING').execute();

		// 商户充值, paid at once: into 自有资金's 待结算, started and finished at the same moment.
		const paidAt = atHour(yesterday, 9);
		const top = await topUp(db, m.id, 'MCHOWN', 50_000n, paidAt);
		const [topFlow] = await flowsOf(top.platformTxnNo);
		expect(await caller.flows.get({ id: topFlow.id })).toMatchObject({
			postingMode: 'INSTANT_PENDING_CREDIT',
			orderDirection: 'CREDIT',
			startedAt: paidAt,
			finishedAt: paidAt
		});

		// Waiting for payment, then paid an hour and a half later: 开始 is the order, 结束 the payment.
		const createdAt = atHour(yesterday, 10);
		const completedAt = atHour(yesterday, 11.5);
		const later = await pay(db, m.id, { txnType: 'MCH_TOPUP', payeeAccountType: 'MCHOWN', amount: 2_000n, at: createdAt, status: 'TRADE_WAIT_PAY' });
		await completePayment(db, { merchantId: m.id, platformTxnNo: later.platformTxnNo, at: completedAt });
		const [laterFlow] = await flowsOf(later.platformTxnNo);
		expect(await caller.flows.get({ id: laterFlow.id })).toMatchObject({ startedAt: createdAt, finishedAt: completedAt });

		// 日终结转: 待结算 out, 可用 in; no order, so the posting is both its start and end.
		const settledAt = atHour(yesterday, 23.5);
		await settle(db, m.id, yesterday, settledAt);
		const moves = await db
			.selectFrom('fund_flows')
			.select(['id', 'sub_type', 'direction'])
			.where('merchant_id', '=', m.id)
			.where('txn_type', '=', 'DAILY_SETTLEMENT')
			.where('account_type', '=', 'MCHOWN')
			.execute();
		expect(moves.map((f) => `${f.sub_type} ${f.direction}`).sort()).toEqual(['AVAILABLE CREDIT', 'PSETTLE DEBIT']);
		for (const f of moves)
			expect(await caller.flows.get({ id: f.id })).toMatchObject({
				postingMode: f.direction === 'CREDIT' ? 'DAILY_SETTLEMENT_CREDIT' : 'DAILY_SETTLEMENT_DEBIT',
				orderDirection: f.direction,
				startedAt: settledAt,
				finishedAt: settledAt
			});

		// A withdrawal from 可用, still waiting for the bank: 结算出账, no 结束时间 yet.
		const askedAt = new Date();
		const w = txnNo('W');
		await postWithdrawal(db, { merchantId: m.id, platformTxnNo: w, merchantOrderNo: `M${w}`, txnType: 'OUTER_FUND_EXCHANGE', status: 'TRADE_CHECKING', amount: 1_000n, cardNo: '6217001234561234', createdAt: askedAt });
		const own = (await flowsOf(w)).find((f) => f.account_type === 'MCHOWN')!;
		expect(own).toMatchObject({ sub_type: 'AVAILABLE', direction: 'DEBIT' });
		expect(await caller.flows.get({ id: own.id })).toMatchObject({ postingMode: 'INSTANT_SETTLED_DEBIT', orderDirection: 'DEBIT', startedAt: askedAt, finishedAt: null });
	});
});

describe('withdrawals.get: 付款方信息 and 收款方信息', () => {
	it("names the merchant's own funds or the user as the payer, and masks the card and the names", async () => {
		const m = await makeMerchant(db);
		const caller = callerFor(db, signedIn(m, await makeStaff(db, m.id)));
		const yesterday = addDays(businessDate(new Date()), -1);
		const user = await makeUser(db, m.id, { name: '张李文', phone: '17712345204' });
		await topUp(db, m.id, 'MCHOWN', 50_000n, atHour(yesterday, 9));
		await pay(db, m.id, { txnType: 'USER_TOPUP', userId: user.id, amount: 30_000n, at: atHour(yesterday, 10) });
		await settle(db, m.id, yesterday);

		const own = txnNo('W');
		const r1 = await postWithdrawal(db, { merchantId: m.id, platformTxnNo: own, merchantOrderNo: `M${own}`, txnType: 'OUTER_FUND_EXCHANGE', status: 'TRADE_CHECKING', amount: 1_000n, cardNo: '6217001234561234', payeeName: '王佳', createdAt: new Date() });
		expect(await caller.withdrawals.get({ id: r1.withdrawalId })).toMatchObject({
			payer: { type: 'MERCHANT', id: m.merchant_no, accountType: 'MCHOWN' },
			user: null,
			cardNo: '621700******1234',
			payeeName: '*佳'
		});

		const cashOut = txnNo('W');
		const r2 = await postWithdrawal(db, { merchantId: m.id, platformTxnNo: cashOut, merchantOrderNo: `M${cashOut}`, txnType: 'ACCT_CASH_OUT', status: 'TRADE_CHECKING', amount: 2_000n, userId: user.id, cardNo: '6217001234567891234', createdAt: new Date() });
		expect(await caller.withdrawals.get({ id: r2.withdrawalId })).toMatchObject({
			payer: { type: 'USER', id: user.user_no, accountType: 'USEROWN' },
			user: { id: user.id, userNo: user.user_no, name: '*李文', phone: '177****5204' },
			cardNo: '621700*********1234'
		});
	});
});
