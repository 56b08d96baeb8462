// The history day by day: each day's events at realistic times, follow-ups (payments, guarantee
// confirmations, refunds, bank returns) joining the queue when they fall due, then that day's
// end-of-day settlement (日终结转), the way the payment core would have sent them.
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { ACTIONS, DAY, HOUR, MINUTE, timeInDay } from './catalog.ts';
import { consume, innerPayout, merchantTopUp, userTopUp } from './payments.ts';
import { refund } from './refunds.ts';
import type { FollowUp, Run } from './run.ts';
import { payout, withdraw } from './withdrawals.ts';

async function randomEvent(run: Run, at: number): Promise<void> {
	const { rng } = run;
	const users = run.activeUsers(at);
	const action = rng.weighted(ACTIONS);
	if (action === 'topup') {
		if (users.length) await userTopUp(run, at, rng.pick(users));
	} else if (action === 'consume') await consume(run, at, users, false);
	else if (action === 'secured') await consume(run, at, users, true);
	else if (action === 'inner') await innerPayout(run, at, users);
	else if (action === 'refund') await refund(run, at);
	else if (action === 'withdraw') await withdraw(run, at, users);
	else if (action === 'payout') await payout(run, at);
	else await merchantTopUp(run, at, rng.amountFen(20_000, 200_000), 'MCHOWN');
}

/** The first day opens with the merchant's own funds, and the fee and coupon accounts' if used. */
async function openingTopUps(run: Run, dayStart: number): Promise<void> {
	const { o } = run;
	await merchantTopUp(run, dayStart + 9 * HOUR, o.openingTopUp, 'MCHOWN');
	if (o.fees) await merchantTopUp(run, dayStart + 9 * HOUR + 5 * MINUTE, o.openingTopUp / 20n, 'MCHFEE');
	if (o.coupons) await merchantTopUp(run, dayStart + 9 * HOUR + 10 * MINUTE, o.openingTopUp / 10n, 'MCHCOUPON');
}

async function playDay(run: Run, date: string, first: boolean): Promise<void> {
	const { rng, o } = run;
	const dayStart = startOfBusinessDate(date).getTime();
	const dayEnd = Math.min(dayStart + DAY, run.nowMs);
	if (first) await openingTopUps(run, dayStart);
	const weekend = [0, 6].includes(new Date(dayStart + 12 * HOUR).getUTCDay());
	const n = Math.round(o.ordersPerDay * (weekend ? 1.25 : 1) * (0.85 + rng.next() * 0.3));
	const times = Array.from({ length: n }, () => timeInDay(rng, dayStart)).filter((t) => t < dayEnd);
	const queue: FollowUp[] = times.map((at) => ({ at, run: () => randomEvent(run, at) })).sort((a, b) => a.at - b.at);
	// Follow-ups scheduled while this day runs and due today join the queue as they appear.
	const takeDue = () => {
		for (let i = run.followUps.length - 1; i >= 0; i--)
			if (run.followUps[i].at < dayEnd) {
				queue.push(run.followUps[i]);
				run.followUps.splice(i, 1);
			}
		queue.sort((a, b) => a.at - b.at);
	};
	takeDue();
	while (queue.length) {
		await queue.shift()!.run();
		if (run.followUps.length) takeDue();
	}
}

export async function playDays(run: Run): Promise<void> {
	const { o } = run;
	const today = businessDate(o.now);
	for (let d = o.days - 1; d >= 0; d--) {
		const date = addDays(today, -d);
		await playDay(run, date, d === o.days - 1);
		if (date < today) {
			const at = new Date(startOfBusinessDate(date).getTime() + DAY + 5 * MINUTE);
			await run.attempt('settlement', () => run.ledger.runDailySettlement({ merchantId: o.merchantId, accountingDate: date, at }));
		}
	}
}
