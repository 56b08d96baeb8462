// Payment events: merchant and user top-ups, purchases (some through the guarantee, confirmed
// later in one or two parts), internal payouts to users, and orders that wait to be paid.
import { CHANNELS, HOUR, INNER_MEMOS, MINUTE, PRODUCTS } from './catalog.ts';
import { reserve, type Run } from './run.ts';
import type { SeededUser } from '../users.ts';

const TOPUP_INFO = { MCHOWN: '商户自有资金充值', MCHFEE: '手续费账户充值', MCHCOUPON: '优惠券账户充值' } as const;

export async function merchantTopUp(run: Run, at: number, amount: bigint, product: 'MCHOWN' | 'MCHFEE' | 'MCHCOUPON'): Promise<void> {
	const no = run.txnNo(at);
	await run.attempt('MCH_TOPUP', () =>
		run.ledger.postPayment({
			merchantId: run.o.merchantId,
			platformTxnNo: no,
			merchantOrderNo: run.orderNo('T', at),
			txnType: 'MCH_TOPUP',
			status: 'TRADE_SUCCESS',
			amount,
			payMethod: 'EBANK_DEBIT_CARD',
			payProduct: product,
			payeeAccountType: product,
			orderInfo: TOPUP_INFO[product],
			createdAt: new Date(at),
			channelTxnNo: run.channelNo()
		})
	);
}

/** A WAIT_PAY order: most are paid within minutes, some closed or cancelled. `release` frees what it set aside first. */
function pendingPayment(run: Run, at: number, no: string, release: () => void): void {
	const { rng, o } = run;
	const when = at + rng.int(1, 40) * MINUTE;
	const outcome = rng.weighted([
		['pay', 60],
		['close', 30],
		['cancel', 10]
	] as const);
	run.later(when, async () => {
		release();
		if (outcome === 'pay')
			await run.attempt('complete', () => run.ledger.completePayment({ merchantId: o.merchantId, platformTxnNo: no, at: new Date(when), channelTxnNo: run.channelNo() }));
		else
			await run.attempt('close', () =>
				run.ledger.closePayment({ merchantId: o.merchantId, platformTxnNo: no, at: new Date(when), status: outcome === 'close' ? 'TRADE_CLOSE' : 'TRADE_CANCEL' })
			);
	});
}

export async function userTopUp(run: Run, at: number, u: SeededUser): Promise<void> {
	const { rng } = run;
	const amount = rng.amountFen(50, 5000);
	const no = run.txnNo(at);
	const wait = rng.chance(0.06);
	const r = await run.attempt('USER_TOPUP', () =>
		run.ledger.postPayment({
			merchantId: run.o.merchantId,
			platformTxnNo: no,
			merchantOrderNo: run.orderNo('T', at),
			txnType: 'USER_TOPUP',
			status: wait ? 'TRADE_WAIT_PAY' : 'TRADE_SUCCESS',
			amount,
			payMethod: rng.pick(CHANNELS),
			userId: u.id,
			orderInfo: '账户充值',
			createdAt: new Date(at),
			channelTxnNo: wait ? null : run.channelNo()
		})
	);
	if (!r) return;
	if (wait) pendingPayment(run, at, no, () => {});
	else if (rng.chance(0.1)) run.refundable.push({ txnNo: no, left: amount, at, userId: u.id, toUser: true });
}

/** Most guarantees are confirmed within days, some in two parts, some refunded or still held. */
function planConfirmations(run: Run, at: number, no: string, amount: bigint): 'refund' | 'other' {
	const { rng, o } = run;
	const plan = rng.weighted([
		['full', 60],
		['partial', 20],
		['refund', 5],
		['hold', 15]
	] as const);
	if (plan === 'refund' || plan === 'hold') return plan === 'refund' ? 'refund' : 'other';
	const first = plan === 'partial' ? (amount * BigInt(rng.int(30, 70))) / 100n : amount;
	const confirmAt = at + rng.int(6, 96) * HOUR;
	const confirm = (when: number, part: bigint) =>
		run.later(when, async () => {
			const cno = run.txnNo(when);
			await run.attempt('SECURED_CONFIRM', () =>
				run.ledger.postPayment({
					merchantId: o.merchantId,
					platformTxnNo: cno,
					merchantOrderNo: run.orderNo('C', when),
					txnType: 'SECURED_CONFIRM',
					status: 'TRADE_SUCCESS',
					amount: part,
					originalPlatformTxnNo: no,
					orderInfo: '确认收货',
					createdAt: new Date(when)
				})
			);
		});
	confirm(confirmAt, first);
	if (plan === 'partial' && rng.chance(0.5)) confirm(confirmAt + rng.int(24, 72) * HOUR, amount - first);
	return 'other';
}

export async function consume(run: Run, at: number, users: SeededUser[], secured: boolean): Promise<void> {
	const { rng, o } = run;
	const u = users.length && rng.chance(0.92) ? rng.pick(users) : null;
	const amount = secured ? rng.amountFen(30, 3000) : rng.amountFen(3, 1500);
	const balance = u !== null && (await run.spendable(u.id)) >= amount && rng.chance(0.6);
	const coupon = o.coupons && !secured && rng.chance(0.12) ? (amount * BigInt(rng.int(5, 20))) / 100n : 0n;
	const fee = o.fees ? (amount * 6n) / 1000n : 0n;
	const useCoupon = coupon > 0n && coupon <= (await run.merchant('MCHCOUPON'));
	const useFee = fee > 0n && fee <= (await run.merchant('MCHFEE'));
	const wait = rng.chance(0.07);
	const no = run.txnNo(at);
	const r = await run.attempt(secured ? 'SECURED_CONSUME' : 'GENERAL_CONSUME', () =>
		run.ledger.postPayment({
			merchantId: o.merchantId,
			platformTxnNo: no,
			merchantOrderNo: run.orderNo('P', at),
			txnType: secured ? 'SECURED_CONSUME' : 'GENERAL_CONSUME',
			status: wait ? 'TRADE_WAIT_PAY' : 'TRADE_SUCCESS',
			amount,
			couponAmount: useCoupon ? coupon : 0n,
			feeAmount: useFee ? fee : 0n,
			payMethod: balance ? 'BALANCE' : rng.pick(CHANNELS),
			payProduct: secured ? '担保交易' : '普通消费',
			userId: u?.id ?? null,
			orderInfo: rng.pick(PRODUCTS),
			memo: rng.chance(0.2) ? run.faker.lorem.words(2) : null,
			merchantOrderTime: new Date(at - rng.int(0, 90) * 1000),
			createdAt: new Date(at),
			channelTxnNo: balance || wait ? null : run.channelNo()
		})
	);
	if (!r) return;
	if (wait) {
		// Set aside until paid or closed, so a later order of the same user does not overspend.
		const cash = amount - (useCoupon ? coupon : 0n);
		if (balance && u) reserve(run, u.id, cash);
		pendingPayment(run, at, no, () => {
			if (balance && u) reserve(run, u.id, -cash);
		});
		return;
	}
	const entry = { txnNo: no, left: amount, at, userId: u?.id ?? null, toUser: false };
	if (!secured) {
		if (rng.chance(0.06)) run.refundable.push(entry);
		return;
	}
	if (planConfirmations(run, at, no, amount) === 'refund') run.refundable.push(entry);
}

export async function innerPayout(run: Run, at: number, users: SeededUser[]): Promise<void> {
	const { rng, o } = run;
	if (!users.length) return;
	const u = rng.pick(users);
	const amount = rng.amountFen(5, 300);
	if (amount > (await run.merchant('MCHOWN'))) return;
	await run.attempt('INNER_FUND_EXCHANGE', () =>
		run.ledger.postPayment({
			merchantId: o.merchantId,
			platformTxnNo: run.txnNo(at),
			merchantOrderNo: run.orderNo('I', at),
			txnType: 'INNER_FUND_EXCHANGE',
			status: 'TRADE_SUCCESS',
			amount,
			payMethod: 'BALANCE',
			userId: u.id,
			orderInfo: rng.pick(INNER_MEMOS),
			createdAt: new Date(at),
			channelTxnNo: null
		})
	);
}
