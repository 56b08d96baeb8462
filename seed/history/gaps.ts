// The minutes before now: an order still waiting to be paid, and any outcome the random mix
// missed, so that a small data set still shows every type and status.
import { bankCard } from '../identity.ts';
import { MINUTE, HOUR, PAYOUT_MEMOS, PRODUCTS, REFUND_REASONS } from './catalog.ts';
import type { Run } from './run.ts';

export async function fillGaps(run: Run): Promise<void> {
	const { rng, o, ledger } = run;
	const users = run.activeUsers(run.nowMs - HOUR);
	if (!users.length) return;
	let at = run.nowMs - 50 * MINUTE;
	const tick = () => (at += MINUTE);
	const u = users[0];
	const merchantId = o.merchantId;
	const pay = async (status: 'TRADE_WAIT_PAY' | 'TRADE_SUCCESS') => {
		const no = run.txnNo(tick());
		await run.attempt('GENERAL_CONSUME', () =>
			ledger.postPayment({
				merchantId,
				platformTxnNo: no,
				merchantOrderNo: run.orderNo('P', at),
				txnType: 'GENERAL_CONSUME',
				status,
				amount: 8_800n,
				payMethod: 'WECHAT_JSAPI',
				userId: u.id,
				orderInfo: rng.pick(PRODUCTS),
				createdAt: new Date(at)
			})
		);
		return no;
	};

	const paid = await ledger.statuses('payments');
	await pay('TRADE_WAIT_PAY');
	for (const status of ['TRADE_CLOSE', 'TRADE_CANCEL'] as const)
		if (!paid.has(status)) {
			const no = await pay('TRADE_WAIT_PAY');
			await run.attempt('close', () => ledger.closePayment({ merchantId, platformTxnNo: no, at: new Date(tick()), status }));
		}

	const refunds = await ledger.statuses('refunds');
	for (const status of ['TRADE_PROCESSING', 'TRADE_FAILURE', 'TRADE_SUCCESS'] as const) {
		// A refunded part of a payment (3,000 of 8,800) always exists, finished: whether the random
		// mix finished one depends on the hour the seed runs (refunds complete up to 36 h later).
		if (refunds.has(status) && status === 'TRADE_FAILURE') continue;
		const no = await pay('TRADE_SUCCESS');
		const rno = run.txnNo(tick());
		await run.attempt('REFUND', () =>
			ledger.postRefund({
				merchantId,
				platformTxnNo: rno,
				refundNo: run.orderNo('R', at),
				paymentPlatformTxnNo: no,
				amount: 3_000n,
				status: 'TRADE_PROCESSING',
				reason: rng.pick(REFUND_REASONS),
				createdAt: new Date(at)
			})
		);
		if (status !== 'TRADE_PROCESSING') await run.attempt('REFUND complete', () => ledger.completeRefund({ merchantId, platformTxnNo: rno, at: new Date(tick()), status }));
	}

	const held = await ledger.statuses('withdrawals');
	const card = bankCard(rng, { debitOnly: true });
	for (const status of ['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'] as const) {
		if (held.has(status) && status !== 'TRADE_CHECKING') continue;
		const no = run.txnNo(tick());
		const r = await run.attempt('OUTER_FUND_EXCHANGE', () =>
			ledger.postWithdrawal({
				merchantId,
				platformTxnNo: no,
				merchantOrderNo: run.orderNo('D', at),
				txnType: 'OUTER_FUND_EXCHANGE',
				status: 'TRADE_CHECKING',
				amount: 1_000n,
				cardNo: card.cardNo,
				bankName: card.bankName,
				payeeName: run.faker.person.fullName(),
				memo: rng.pick(PAYOUT_MEMOS),
				createdAt: new Date(at)
			})
		);
		if (!r || status === 'TRADE_CHECKING') continue;
		const steps = status === 'TRADE_CANCEL' ? (['TRADE_SUCCESS', 'TRADE_CANCEL'] as const) : ([status] as const);
		for (const s of steps)
			await run.attempt(`withdrawal ${s}`, () => ledger.updateWithdrawalStatus({ merchantId, platformTxnNo: no, status: s, at: new Date(tick()) }));
	}
}
