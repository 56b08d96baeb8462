// Money leaving for bank cards: users' withdrawals (提现) and the merchant's payouts (外部代发),
// each then moving CHECKING → (PREPAID) → SUCCESS / FAILURE, now and then with a bank return.
import { bankCard } from '../identity.ts';
import type { SeededUser } from '../users.ts';
import { HOUR, MINUTE, PAYOUT_MEMOS } from './catalog.ts';
import type { Run } from './run.ts';

function lifecycle(run: Run, at: number, no: string): void {
	const { rng, o } = run;
	const prepaidAt = at + rng.int(10, 120) * MINUTE;
	const doneAt = prepaidAt + rng.int(30, 240) * MINUTE;
	const outcome = rng.weighted([
		['success', 85],
		['failure', 9],
		['return', 6]
	] as const);
	const update = (when: number, status: 'TRADE_PREPAID' | 'TRADE_SUCCESS' | 'TRADE_FAILURE' | 'TRADE_CANCEL') =>
		run.later(when, async () => {
			await run.attempt(`withdrawal ${status}`, () =>
				run.ledger.updateWithdrawalStatus({
					merchantId: o.merchantId,
					platformTxnNo: no,
					status,
					at: new Date(when),
					channelTxnNo: status === 'TRADE_SUCCESS' ? run.channelNo() : null
				})
			);
		});
	if (rng.chance(0.6)) update(prepaidAt, 'TRADE_PREPAID');
	if (outcome === 'failure') update(doneAt, 'TRADE_FAILURE');
	else {
		update(doneAt, 'TRADE_SUCCESS');
		if (outcome === 'return') update(doneAt + rng.int(12, 72) * HOUR, 'TRADE_CANCEL');
	}
}

export async function withdraw(run: Run, at: number, users: SeededUser[]): Promise<void> {
	const { rng, o } = run;
	const rich: { u: SeededUser; avail: bigint }[] = [];
	for (const u of users) {
		if (!u.cards.some((c) => c.cardType === 'DEBIT')) continue;
		const avail = await run.spendable(u.id);
		if (avail >= 10_000n) rich.push({ u, avail });
	}
	if (!rich.length) return;
	const { u, avail } = rng.pick(rich);
	const fee = o.fees && (await run.merchant('MCHFEE')) >= 200n ? 200n : 0n;
	const amount = (avail * BigInt(rng.int(20, 90))) / 100n;
	const card = u.cards.find((c) => c.cardType === 'DEBIT')!;
	const no = run.txnNo(at);
	const r = await run.attempt('ACCT_CASH_OUT', () =>
		run.ledger.postWithdrawal({
			merchantId: o.merchantId,
			platformTxnNo: no,
			merchantOrderNo: run.orderNo('W', at),
			txnType: 'ACCT_CASH_OUT',
			status: 'TRADE_CHECKING',
			amount,
			feeAmount: fee,
			userId: u.id,
			cardNo: card.cardNo,
			bankName: card.bankName,
			payeeName: u.name,
			memo: '余额提现',
			createdAt: new Date(at)
		})
	);
	if (r) lifecycle(run, at, no);
}

export async function payout(run: Run, at: number): Promise<void> {
	const { rng, o } = run;
	const amount = rng.amountFen(50, 5000);
	if (amount > (await run.merchant('MCHOWN'))) return;
	const card = bankCard(rng, { debitOnly: true });
	const no = run.txnNo(at);
	const r = await run.attempt('OUTER_FUND_EXCHANGE', () =>
		run.ledger.postWithdrawal({
			merchantId: o.merchantId,
			platformTxnNo: no,
			merchantOrderNo: run.orderNo('D', at),
			txnType: 'OUTER_FUND_EXCHANGE',
			status: 'TRADE_CHECKING',
			amount,
			cardNo: card.cardNo,
			bankName: card.bankName,
			payeeName: run.faker.person.fullName(),
			memo: rng.pick(PAYOUT_MEMOS),
			createdAt: new Date(at)
		})
	);
	if (r) lifecycle(run, at, no);
}
