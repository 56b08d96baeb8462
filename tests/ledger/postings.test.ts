import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDb, type Db } from '#db';
import {
	checkInvariants,
	closePayment,
	completePayment,
	completeRefund,
	LedgerError,
	openMerchantAccounts,
	postPayment,
	postRefund,
	postWithdrawal,
	runDailySettlement,
	updateWithdrawalStatus,
	type PaymentPosting
} from '#shared/server/ledger/index.ts';
import { addDays } from '#shared/time.ts';
import { txnNo } from '../fixtures/ledger.ts';
import { makeUser } from '../fixtures/merchant.ts';
import { balances, counts, merchantWithAccounts } from './fixtures.ts';

let db: Db;
beforeAll(() => {
	db = createDb(process.env.DATABASE_URL, 20);
});
afterAll(async () => {
	await db.destroy();
});

const at = new Date('2026-11-25T02:00:00Z');
const key = (type: string, sub: string, user?: bigint) => `${type}:${sub}:${user ?? ''}`;

async function expectLedgerError(p: Promise<unknown>, k: string) {
	const e = await p.then(
		() => null,
		(x: unknown) => x
	);
	expect(e).toBeInstanceOf(LedgerError);
	expect((e as LedgerError).key).toBe(k);
}

function topup(merchantId: bigint, userId: bigint, amount: bigint, extra: Partial<PaymentPosting> = {}): PaymentPosting {
	const no = txnNo('TOP');
	return {
		merchantId,
		platformTxnNo: no,
		merchantOrderNo: `M${no}`,
		txnType: 'USER_TOPUP',
		status: 'TRADE_SUCCESS',
		amount,
		payMethod: 'WECHAT_APP',
		userId,
		createdAt: at,
		...extra
	};
}

let settleDays = 0;
async function fundedUser(merchantId: bigint, amount: bigint) {
	const u = (await makeUser(db, merchantId)).id;
	await postPayment(db, topup(merchantId, u, amount));
	settleDays += 1;
	await runDailySettlement(db, { merchantId, accountingDate: addDays('2026-01-01', settleDays), at });
	return u;
}

describe('accounts', () => {
	it('opens the merchant accounts once', async () => {
		const m = await merchantWithAccounts(db);
		expect(await openMerchantAccounts(db, m.id)).toBe(0);
		const b = await balances(db, m.id);
		expect(b.size).toBe(9);
		expect(b.get(key('CLEARING', 'AVAILABLE'))).toBe(0n);
	});
});

describe('payments', () => {
	it('a top-up moves money from the channel to the user, pending until settlement', async () => {
		const m = await merchantWithAccounts(db);
		const u = (await makeUser(db, m.id)).id;
		const r = await postPayment(db, topup(m.id, u, 1000n));
		expect(r.created).toBe(true);
		let b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'PSETTLE', u))).toBe(1000n);
		expect(b.get(key('CLEARING', 'AVAILABLE'))).toBe(-1000n);
		const s = await runDailySettlement(db, { merchantId: m.id, accountingDate: '2026-11-25', at });
		expect(s).toEqual({ flows: 2, created: true });
		expect(await runDailySettlement(db, { merchantId: m.id, accountingDate: '2026-11-25', at })).toEqual({ flows: 0, created: false });
		b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'PSETTLE', u))).toBe(0n);
		expect(b.get(key('USEROWN', 'AVAILABLE', u))).toBe(1000n);
		const pay = await db.selectFrom('payments').selectAll().where('id', '=', r.paymentId).executeTakeFirstOrThrow();
		expect(pay.accounting_date).toBe('2026-11-25');
		expect(pay.payee_type).toBe('USER');
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});

	it('refuses an overdraft and writes nothing', async () => {
		const m = await merchantWithAccounts(db);
		const u = await fundedUser(m.id, 500n);
		const before = await counts(db, m.id);
		const no = txnNo('C');
		await expectLedgerError(
			postPayment(db, {
				merchantId: m.id,
				platformTxnNo: no,
				merchantOrderNo: no,
				txnType: 'GENERAL_CONSUME',
				status: 'TRADE_SUCCESS',
				amount: 501n,
				payMethod: 'BALANCE',
				userId: u,
				createdAt: at
			}),
			'ledger.insufficientFunds'
		);
		expect(await counts(db, m.id)).toEqual(before);
		expect((await balances(db, m.id)).get(key('USEROWN', 'AVAILABLE', u))).toBe(500n);
	});

	it('a consumption with coupon and fee debits the user, the coupon and fee accounts', async () => {
		const m = await merchantWithAccounts(db);
		const u = (await makeUser(db, m.id)).id;
		await postPayment(db, topup(m.id, u, 1000n));
		for (const [t, amount] of [['MCHCOUPON', 300n], ['MCHFEE', 50n]] as const) {
			const no = txnNo('MT');
			await postPayment(db, { merchantId: m.id, platformTxnNo: no, merchantOrderNo: no, txnType: 'MCH_TOPUP', status: 'TRADE_SUCCESS', amount, payeeAccountType: t, createdAt: at });
		}
		await runDailySettlement(db, { merchantId: m.id, accountingDate: '2026-11-25', at });
		const no = txnNo('C');
		await postPayment(db, {
			merchantId: m.id,
			platformTxnNo: no,
			merchantOrderNo: no,
			txnType: 'GENERAL_CONSUME',
			status: 'TRADE_SUCCESS',
			amount: 800n,
			couponAmount: 200n,
			feeAmount: 8n,
			payMethod: 'BALANCE',
			userId: u,
			createdAt: at
		});
		const b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'AVAILABLE', u))).toBe(400n);
		expect(b.get(key('MCHCOUPON', 'AVAILABLE'))).toBe(100n);
		expect(b.get(key('MCHFEE', 'AVAILABLE'))).toBe(42n);
		expect(b.get(key('MCHOWN', 'PSETTLE'))).toBe(800n);
		const flows = await db.selectFrom('fund_flows').selectAll().where('order_no', '=', no).orderBy('id').execute();
		expect(flows.map((f) => [f.account_type, f.direction, f.amount, f.txn_type])).toEqual([
			['USEROWN', 'DEBIT', 600n, 'GENERAL_CONSUME'],
			['MCHOWN', 'CREDIT', 600n, 'GENERAL_CONSUME'],
			['MCHCOUPON', 'DEBIT', 200n, 'GENERAL_CONSUME'],
			['MCHOWN', 'CREDIT', 200n, 'GENERAL_CONSUME'],
			['MCHFEE', 'DEBIT', 8n, 'SERVICE_FEE'],
			['CLEARING', 'CREDIT', 8n, 'SERVICE_FEE']
		]);
		expect(flows[1].balance_after).toBe(600n);
		expect(flows[3].balance_after).toBe(800n);
		expect(flows[0].memo).toBe('普通消费');
		expect(flows[0].counter_account_no).toBe(`${m.merchant_no}-MCHOWN-P`);
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});

	it('replays a posting without change, and refuses a different payload under the same number', async () => {
		const m = await merchantWithAccounts(db);
		const u = (await makeUser(db, m.id)).id;
		const p = topup(m.id, u, 700n);
		const first = await postPayment(db, p);
		const before = await counts(db, m.id);
		const again = await postPayment(db, p);
		expect(again).toEqual({ paymentId: first.paymentId, created: false, status: 'TRADE_SUCCESS' });
		expect(await counts(db, m.id)).toEqual(before);
		await expectLedgerError(postPayment(db, { ...p, amount: 701n }), 'ledger.conflict');
		await expectLedgerError(postPayment(db, { ...p, platformTxnNo: txnNo('X') }), 'ledger.conflict'); // same merchant order no
		expect(await counts(db, m.id)).toEqual(before);
	});

	it('posts a payment once when the same number arrives concurrently', async () => {
		const m = await merchantWithAccounts(db);
		const u = (await makeUser(db, m.id)).id;
		const p = topup(m.id, u, 900n);
		const results = await Promise.all(Array.from({ length: 8 }, () => postPayment(db, p)));
		expect(results.filter((r) => r.created)).toHaveLength(1);
		expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
		expect((await balances(db, m.id)).get(key('USEROWN', 'PSETTLE', u))).toBe(900n);
		expect((await counts(db, m.id)).flows).toBe(2);
	});

	it('serialises concurrent spending of one balance without deadlock or overdraft', async () => {
		const m = await merchantWithAccounts(db);
		const users = [await fundedUser(m.id, 1000n), await fundedUser(m.id, 1000n)];
		const attempts = Array.from({ length: 30 }, (_, i) => {
			const no = txnNo('CC');
			return postPayment(db, {
				merchantId: m.id,
				platformTxnNo: no,
				merchantOrderNo: no,
				txnType: 'GENERAL_CONSUME',
				status: 'TRADE_SUCCESS',
				amount: 100n,
				payMethod: 'BALANCE',
				userId: users[i % 2],
				createdAt: at
			}).then(
				() => 'ok',
				(e: LedgerError) => e.key
			);
		});
		const outcomes = await Promise.all(attempts);
		expect(outcomes.filter((o) => o === 'ok')).toHaveLength(20);
		expect(outcomes.filter((o) => o === 'ledger.insufficientFunds')).toHaveLength(10);
		const b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'AVAILABLE', users[0]))).toBe(0n);
		expect(b.get(key('MCHOWN', 'PSETTLE'))).toBe(2000n);
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});

	it('WAIT_PAY moves nothing until completed; a closed payment cannot complete', async () => {
		const m = await merchantWithAccounts(db);
		const u = (await makeUser(db, m.id)).id;
		const p = topup(m.id, u, 400n, { status: 'TRADE_WAIT_PAY' });
		await postPayment(db, p);
		expect((await counts(db, m.id)).flows).toBe(0);
		expect(await completePayment(db, { merchantId: m.id, platformTxnNo: p.platformTxnNo, at, channelTxnNo: 'CH1' })).toEqual({ changed: true, status: 'TRADE_SUCCESS' });
		expect(await completePayment(db, { merchantId: m.id, platformTxnNo: p.platformTxnNo, at })).toEqual({ changed: false, status: 'TRADE_SUCCESS' });
		expect((await balances(db, m.id)).get(key('USEROWN', 'PSETTLE', u))).toBe(400n);

		const q = topup(m.id, u, 300n, { status: 'TRADE_WAIT_PAY' });
		await postPayment(db, q);
		await closePayment(db, { merchantId: m.id, platformTxnNo: q.platformTxnNo, at, status: 'TRADE_CLOSE' });
		await expectLedgerError(completePayment(db, { merchantId: m.id, platformTxnNo: q.platformTxnNo, at }), 'ledger.illegalTransition');
		await expectLedgerError(closePayment(db, { merchantId: m.id, platformTxnNo: p.platformTxnNo, at, status: 'TRADE_CANCEL' }), 'ledger.illegalTransition');

		// a success notification for a waiting payment completes it
		const r = topup(m.id, u, 200n, { status: 'TRADE_WAIT_PAY' });
		await postPayment(db, r);
		expect(await postPayment(db, { ...r, status: 'TRADE_SUCCESS' })).toMatchObject({ created: false, status: 'TRADE_SUCCESS' });
		expect((await balances(db, m.id)).get(key('USEROWN', 'PSETTLE', u))).toBe(600n);
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});

	it("answers another merchant's payment as not found", async () => {
		const a = await merchantWithAccounts(db);
		const b = await merchantWithAccounts(db);
		const u = (await makeUser(db, a.id)).id;
		const p = topup(a.id, u, 100n);
		await postPayment(db, p);
		await expectLedgerError(completePayment(db, { merchantId: b.id, platformTxnNo: p.platformTxnNo, at }), 'ledger.orderNotFound');
		await expectLedgerError(
			postRefund(db, { merchantId: b.id, platformTxnNo: txnNo('R'), refundNo: 'R1', paymentPlatformTxnNo: p.platformTxnNo, amount: 1n, status: 'TRADE_SUCCESS', createdAt: at }),
			'ledger.orderNotFound'
		);
		await expectLedgerError(postPayment(db, topup(b.id, u, 100n)), 'ledger.unknownUser');
	});
});

describe('guarantee (担保)', () => {
	it('holds the money in MCHASSURE, pays it out only by confirmation, up to the amount', async () => {
		const m = await merchantWithAccounts(db);
		const buyer = await fundedUser(m.id, 1000n);
		const seller = (await makeUser(db, m.id)).id;
		const secured = txnNo('S');
		await postPayment(db, {
			merchantId: m.id,
			platformTxnNo: secured,
			merchantOrderNo: secured,
			txnType: 'SECURED_CONSUME',
			status: 'TRADE_SUCCESS',
			amount: 600n,
			payMethod: 'BALANCE',
			userId: buyer,
			payeeUserId: seller,
			createdAt: at
		});
		let b = await balances(db, m.id);
		expect(b.get(key('MCHASSURE', 'AVAILABLE'))).toBe(600n);
		// the guarantee cannot be withdrawn: MCHOWN is empty
		await expectLedgerError(
			postWithdrawal(db, { merchantId: m.id, platformTxnNo: txnNo('W'), merchantOrderNo: txnNo('WO'), txnType: 'OUTER_FUND_EXCHANGE', status: 'TRADE_CHECKING', amount: 100n, cardNo: '6222020200112233445', createdAt: at }),
			'ledger.insufficientFunds'
		);
		const confirm = (amount: bigint) => {
			const no = txnNo('SC');
			return postPayment(db, { merchantId: m.id, platformTxnNo: no, merchantOrderNo: no, txnType: 'SECURED_CONFIRM', status: 'TRADE_SUCCESS', amount, originalPlatformTxnNo: secured, createdAt: at });
		};
		await confirm(250n);
		// a refund of what is still held, then confirmation is capped by what is left
		await postRefund(db, { merchantId: m.id, platformTxnNo: txnNo('R'), refundNo: txnNo('RN'), paymentPlatformTxnNo: secured, amount: 100n, status: 'TRADE_SUCCESS', createdAt: at });
		await expectLedgerError(confirm(251n), 'ledger.confirmExceeds');
		await expectLedgerError(
			postRefund(db, { merchantId: m.id, platformTxnNo: txnNo('R'), refundNo: txnNo('RN'), paymentPlatformTxnNo: secured, amount: 251n, status: 'TRADE_SUCCESS', createdAt: at }),
			'ledger.refundExceeds'
		);
		await confirm(250n);
		b = await balances(db, m.id);
		expect(b.get(key('MCHASSURE', 'AVAILABLE'))).toBe(0n);
		expect(b.get(key('USEROWN', 'PSETTLE', seller))).toBe(500n); // paid to the seller named on the secured payment
		expect(b.get(key('USEROWN', 'AVAILABLE', buyer))).toBe(500n);
		const pay = await db.selectFrom('payments').selectAll().where('platform_txn_no', '=', secured).executeTakeFirstOrThrow();
		expect([pay.confirmed_amount, pay.refunded_amount]).toEqual([500n, 100n]);
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});

	it('catches a guarantee payout that bypassed confirmation', async () => {
		const m = await merchantWithAccounts(db);
		const buyer = await fundedUser(m.id, 100n);
		const s = txnNo('S');
		await postPayment(db, { merchantId: m.id, platformTxnNo: s, merchantOrderNo: s, txnType: 'SECURED_CONSUME', status: 'TRADE_SUCCESS', amount: 100n, payMethod: 'BALANCE', userId: buyer, createdAt: at });
		expect(await checkInvariants(db, m.id)).toEqual([]);
		// tamper: relabel the secured payment's MCHASSURE credit as a debit elsewhere
		await sql`UPDATE fund_flows SET txn_type = 'ACCT_CASH_OUT', direction = 'DEBIT' WHERE order_no = ${s} AND account_type = 'MCHASSURE'`.execute(db);
		const problems = await checkInvariants(db, m.id);
		expect(problems.some((p) => p.startsWith('guarantee account paid out'))).toBe(true);
		expect(problems.some((p) => p.startsWith('posting debits differ'))).toBe(true);
		expect(problems.some((p) => p.startsWith('account balance differs'))).toBe(true);
	});
});

describe('refunds', () => {
	it('caps refunds at what is left, counting refunds in flight, and moves money only on success', async () => {
		const m = await merchantWithAccounts(db);
		const u = await fundedUser(m.id, 1000n);
		const pay = txnNo('C');
		await postPayment(db, { merchantId: m.id, platformTxnNo: pay, merchantOrderNo: pay, txnType: 'GENERAL_CONSUME', status: 'TRADE_SUCCESS', amount: 1000n, payMethod: 'BALANCE', userId: u, createdAt: at });
		const refund = (amount: bigint, status: 'TRADE_SUCCESS' | 'TRADE_PROCESSING', no = txnNo('R')) =>
			postRefund(db, { merchantId: m.id, platformTxnNo: no, refundNo: `N${no}`, paymentPlatformTxnNo: pay, amount, status, createdAt: at });
		await refund(300n, 'TRADE_SUCCESS');
		const pending = txnNo('R');
		await refund(600n, 'TRADE_PROCESSING', pending);
		let b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'AVAILABLE', u))).toBe(300n);
		await expectLedgerError(refund(101n, 'TRADE_SUCCESS'), 'ledger.refundExceeds');
		expect(await completeRefund(db, { merchantId: m.id, platformTxnNo: pending, at, status: 'TRADE_SUCCESS' })).toEqual({ changed: true, status: 'TRADE_SUCCESS' });
		expect(await completeRefund(db, { merchantId: m.id, platformTxnNo: pending, at, status: 'TRADE_SUCCESS' })).toEqual({ changed: false, status: 'TRADE_SUCCESS' });
		await expectLedgerError(completeRefund(db, { merchantId: m.id, platformTxnNo: pending, at, status: 'TRADE_FAILURE' }), 'ledger.illegalTransition');
		await refund(100n, 'TRADE_SUCCESS');
		await expectLedgerError(refund(1n, 'TRADE_SUCCESS'), 'ledger.refundExceeds');
		b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'AVAILABLE', u))).toBe(1000n);
		expect(b.get(key('MCHOWN', 'PSETTLE'))).toBe(0n);
		const p = await db.selectFrom('payments').select('refunded_amount').where('platform_txn_no', '=', pay).executeTakeFirstOrThrow();
		expect(p.refunded_amount).toBe(1000n);
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});

	it('takes a refund from AVAILABLE first, then from PSETTLE', async () => {
		const m = await merchantWithAccounts(db);
		const u = (await makeUser(db, m.id)).id;
		const first = txnNo('C');
		await postPayment(db, { merchantId: m.id, platformTxnNo: first, merchantOrderNo: first, txnType: 'GENERAL_CONSUME', status: 'TRADE_SUCCESS', amount: 300n, payMethod: 'ALIPAY_APP', userId: u, createdAt: at });
		await runDailySettlement(db, { merchantId: m.id, accountingDate: '2026-11-25', at });
		const second = txnNo('C');
		await postPayment(db, { merchantId: m.id, platformTxnNo: second, merchantOrderNo: second, txnType: 'GENERAL_CONSUME', status: 'TRADE_SUCCESS', amount: 500n, payMethod: 'ALIPAY_APP', userId: u, createdAt: at });
		await postRefund(db, { merchantId: m.id, platformTxnNo: txnNo('R'), refundNo: txnNo('N'), paymentPlatformTxnNo: second, amount: 450n, status: 'TRADE_SUCCESS', createdAt: at });
		const b = await balances(db, m.id);
		expect(b.get(key('MCHOWN', 'AVAILABLE'))).toBe(0n);
		expect(b.get(key('MCHOWN', 'PSETTLE'))).toBe(350n);
		expect(b.get(key('CLEARING', 'AVAILABLE'))).toBe(-350n); // a channel payment is refunded to the channel
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});
});

describe('withdrawals', () => {
	it('reserves the money at creation and a bank return puts it back once', async () => {
		const m = await merchantWithAccounts(db);
		const u = await fundedUser(m.id, 1000n);
		const feeNo = txnNo('MT');
		await postPayment(db, { merchantId: m.id, platformTxnNo: feeNo, merchantOrderNo: feeNo, txnType: 'MCH_TOPUP', status: 'TRADE_SUCCESS', amount: 10n, payeeAccountType: 'MCHFEE', createdAt: at });
		await runDailySettlement(db, { merchantId: m.id, accountingDate: '2026-11-26', at });
		const no = txnNo('W');
		await postWithdrawal(db, { merchantId: m.id, platformTxnNo: no, merchantOrderNo: `O${no}`, txnType: 'ACCT_CASH_OUT', status: 'TRADE_CHECKING', amount: 800n, feeAmount: 2n, userId: u, cardNo: '6222020200112233445', createdAt: at });
		let b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'AVAILABLE', u))).toBe(200n);
		expect(b.get(key('MCHFEE', 'AVAILABLE'))).toBe(8n);
		expect(await updateWithdrawalStatus(db, { merchantId: m.id, platformTxnNo: no, status: 'TRADE_SUCCESS', at })).toEqual({ changed: true, status: 'TRADE_SUCCESS' });
		await expectLedgerError(updateWithdrawalStatus(db, { merchantId: m.id, platformTxnNo: no, status: 'TRADE_FAILURE', at }), 'ledger.illegalTransition');
		const returns = await Promise.all(
			Array.from({ length: 4 }, () => updateWithdrawalStatus(db, { merchantId: m.id, platformTxnNo: no, status: 'TRADE_CANCEL', at }))
		);
		expect(returns.filter((r) => r.changed)).toHaveLength(1);
		b = await balances(db, m.id);
		expect(b.get(key('USEROWN', 'AVAILABLE', u))).toBe(1000n);
		expect(b.get(key('MCHFEE', 'AVAILABLE'))).toBe(10n);
		await expectLedgerError(updateWithdrawalStatus(db, { merchantId: m.id, platformTxnNo: no, status: 'TRADE_SUCCESS', at }), 'ledger.illegalTransition');
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});
});

describe('batching in a caller transaction', () => {
	it('rolls back only the refused posting (savepoint)', async () => {
		const m = await merchantWithAccounts(db);
		const u = (await makeUser(db, m.id)).id;
		const good = topup(m.id, u, 100n);
		const no = txnNo('C');
		await db.transaction().execute(async (trx) => {
			await postPayment(trx, good);
			await expectLedgerError(
				postPayment(trx, { merchantId: m.id, platformTxnNo: no, merchantOrderNo: no, txnType: 'GENERAL_CONSUME', status: 'TRADE_SUCCESS', amount: 101n, payMethod: 'BALANCE', userId: u, createdAt: at }),
				'ledger.insufficientFunds'
			);
		});
		expect((await counts(db, m.id)).payments).toBe(1);
		expect((await balances(db, m.id)).get(key('USEROWN', 'PSETTLE', u))).toBe(100n);
		expect(await checkInvariants(db, m.id)).toEqual([]);
	});
});
