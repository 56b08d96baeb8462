// Refund events: one of the latest refundable orders, in full or in part, settled (or failed)
// minutes to a day and a half later.
import { MINUTE, REFUND_REASONS } from './catalog.ts';
import type { Run } from './run.ts';

export async function refund(run: Run, at: number): Promise<void> {
	const { rng, o } = run;
	const candidates = run.refundable.filter((p) => p.left > 0n && p.at < at - 10 * MINUTE);
	if (!candidates.length) return;
	const p = candidates[rng.int(Math.max(0, candidates.length - 50), candidates.length - 1)];
	const amount = rng.chance(0.6) ? p.left : (p.left * BigInt(rng.int(20, 80))) / 100n || 1n;
	// Only refunds the merchant (or the user) can pay back from what it holds.
	if (!p.toUser && amount > (await run.merchant('MCHOWN', 'AVAILABLE')) + (await run.merchant('MCHOWN', 'PSETTLE'))) return;
	if (p.toUser && p.userId !== null && amount > (await run.userHolds(p.userId))) return;
	const no = run.txnNo(at);
	const r = await run.attempt('REFUND', () =>
		run.ledger.postRefund({
			merchantId: o.merchantId,
			platformTxnNo: no,
			refundNo: run.orderNo('R', at),
			paymentPlatformTxnNo: p.txnNo,
			amount,
			status: 'TRADE_PROCESSING',
			reason: rng.pick(REFUND_REASONS),
			createdAt: new Date(at)
		})
	);
	if (!r) return;
	p.left -= amount;
	const when = at + rng.int(5, 36 * 60) * MINUTE;
	const ok = rng.chance(0.88);
	run.later(when, async () => {
		const done = await run.attempt('REFUND complete', () =>
			run.ledger.completeRefund({
				merchantId: o.merchantId,
				platformTxnNo: no,
				at: new Date(when),
				status: ok ? 'TRADE_SUCCESS' : 'TRADE_FAILURE',
				channelTxnNo: ok ? run.channelNo() : null
			})
		);
		if (!done || !ok) p.left += amount;
	});
}
