// Day-by-day transaction history through the ledger: each day's orders at realistic times,
// follow-ups (completions, confirmations, refunds, bank returns) when they fall due, then
// that day's end-of-day settlement. A small in-memory model of balances picks amounts the
// ledger will accept; anything it still refuses is skipped and counted.
import type { Faker } from '@faker-js/faker';
import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import {
	closePayment,
	completePayment,
	completeRefund,
	LedgerError,
	postPayment,
	postRefund,
	postWithdrawal,
	runDailySettlement,
	updateWithdrawalStatus
} from '#shared/server/ledger/index.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { bankCard } from './identity.ts';
import type { Rng } from './rng.ts';
import type { SeededUser } from './users.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface HistoryOptions {
	merchantId: bigint;
	/** One digit that keeps this merchant's platform numbers apart from another's. */
	txnDigit: string;
	users: SeededUser[];
	days: number;
	ordersPerDay: number;
	/** Rounded to the hour by the caller: today's history stops here. */
	now: Date;
	/** Merchant own funds placed on day one, in fen. */
	openingTopUp: bigint;
	/** Which optional legs the ledger can fund (the fee and coupon accounts need money first). */
	fees: boolean;
	coupons: boolean;
}

export interface HistoryStats {
	postings: number;
	refused: Map<string, number>;
}

type FollowUp = { at: number; run: () => Promise<void> };

const CHANNELS = ['WECHAT_APP', 'WECHAT_JSAPI', 'WECHAT_NATIVE', 'WECHAT_H5', 'ALIPAY_APP', 'ALIPAY_NATIVE', 'ALIPAY_H5', 'ALIPAY_WEB', 'EBANK_DEBIT_CARD', 'AGRT_DEBIT_CARD'];
const PRODUCTS = ['会员月卡', '年度会员', '精品咖啡豆', '无线耳机', '运动手环', '儿童绘本套装', '有机大米 5kg', '保温杯', '电影票', '话费充值', '外卖订单', '酒店预订', '火车票', '网课课程', '洗护套装', '茶叶礼盒', '充电宝', '机械键盘', '家政服务', '停车费'];
const REFUND_REASONS = ['用户取消订单', '商品缺货', '重复支付', '商品质量问题', '协商退款', '未按时发货'];
const PAYOUT_MEMOS = ['供应商货款', '佣金结算', '员工报销', '合作方分润', '活动奖金'];
const INNER_MEMOS = ['邀请奖励', '活动返现', '分销佣金', '积分兑换'];

/** Hour-of-day weights: quiet at night, busy at lunch and in the evening. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 8, 12, 14, 15, 16, 18, 16, 14, 14, 15, 16, 18, 20, 22, 20, 14, 6];
const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

function timeInDay(rng: Rng, dayStart: number): number {
	let r = rng.next() * HOUR_TOTAL;
	let h = 0;
	while (r >= HOUR_WEIGHTS[h]) r -= HOUR_WEIGHTS[h++];
	return dayStart + h * HOUR + rng.int(0, HOUR - 1000);
}

const compact = (date: string) => date.replaceAll('-', '');

export async function seedHistory(db: Kysely<DB>, rng: Rng, faker: Faker, o: HistoryOptions): Promise<HistoryStats> {
	const stats: HistoryStats = { postings: 0, refused: new Map() };
	const nowMs = o.now.getTime();
	const today = businessDate(o.now);
	let seq = 0;
	const txnNo = (at: number) => `${compact(businessDate(new Date(at)))}${o.txnDigit}${String(++seq).padStart(7, '0')}`;
	const orderNo = (prefix: string, at: number) => `${prefix}${compact(businessDate(new Date(at)))}${String(seq).padStart(7, '0')}`;
	const channelNo = () => `42${rng.digits(26)}`;

	// What the ledger holds, as far as this generator knows; settlements move PSETTLE → AVAILABLE.
	const userAvail = new Map<bigint, bigint>();
	const userPending = new Map<bigint, bigint>();
	let ownAvail = 0n;
	let ownPending = 0n;
	let feeAvail = 0n;
	let couponAvail = 0n;
	const add = (m: Map<bigint, bigint>, k: bigint, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);

	// Successful orders later ones may refer to.
	const refundable: { txnNo: string; left: bigint; at: number; userId: bigint | null; toUser: boolean }[] = [];
	const followUps: FollowUp[] = [];
	// The day's transaction: follow-ups scheduled on one day run inside a later day's.
	let trx!: Kysely<DB>;
	const later = (at: number, run: () => Promise<void>) => {
		if (at < nowMs) followUps.push({ at, run });
	};

	/** Runs one ledger call; a refusal is counted (the savepoint already undid it). */
	async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
		try {
			const r = await fn();
			stats.postings++;
			return r;
		} catch (e) {
			if (!(e instanceof LedgerError)) throw e;
			const key = `${what}: ${e.key}`;
			stats.refused.set(key, (stats.refused.get(key) ?? 0) + 1);
			return null;
		}
	}

	const activeUsers = (at: number) => o.users.filter((u) => u.registeredAt.getTime() < at && u.status === 'NORMAL');

	async function merchantTopUp(at: number, amount: bigint, product: 'MCHOWN' | 'MCHFEE' | 'MCHCOUPON') {
		const no = txnNo(at);
		const r = await attempt('MCH_TOPUP', () =>
			postPayment(trx, {
				merchantId: o.merchantId,
				platformTxnNo: no,
				merchantOrderNo: orderNo('T', at),
				txnType: 'MCH_TOPUP',
				status: 'TRADE_SUCCESS',
				amount,
				payMethod: 'EBANK_DEBIT_CARD',
				payProduct: product,
				payeeAccountType: product,
				orderInfo: product === 'MCHOWN' ? '商户自有资金充值' : product === 'MCHFEE' ? '手续费账户充值' : '优惠券账户充值',
				createdAt: new Date(at),
				channelTxnNo: channelNo()
			})
		);
		if (r) ownPending += amount; // where it really landed is read back at the next resync
	}

	/** Re-reads balances from the ledger so the model never drifts for more than a day. */
	async function resync() {
		const rows = await trx
			.selectFrom('accounts')
			.select(['user_id', 'account_type', 'sub_type', 'balance'])
			.where('merchant_id', '=', o.merchantId)
			.execute();
		userAvail.clear();
		userPending.clear();
		ownAvail = ownPending = feeAvail = couponAvail = 0n;
		for (const a of rows) {
			if (a.user_id !== null) add(a.sub_type === 'AVAILABLE' ? userAvail : userPending, a.user_id, a.balance);
			else if (a.account_type === 'MCHOWN') {
				if (a.sub_type === 'AVAILABLE') ownAvail = a.balance;
				else ownPending = a.balance;
			} else if (a.account_type === 'MCHFEE' && a.sub_type === 'AVAILABLE') feeAvail = a.balance;
			else if (a.account_type === 'MCHCOUPON' && a.sub_type === 'AVAILABLE') couponAvail = a.balance;
		}
	}

	async function userTopUp(at: number, u: SeededUser) {
		const amount = rng.amountFen(50, 5000);
		const no = txnNo(at);
		const wait = rng.chance(0.06);
		const r = await attempt('USER_TOPUP', () =>
			postPayment(trx, {
				merchantId: o.merchantId,
				platformTxnNo: no,
				merchantOrderNo: orderNo('T', at),
				txnType: 'USER_TOPUP',
				status: wait ? 'TRADE_WAIT_PAY' : 'TRADE_SUCCESS',
				amount,
				payMethod: rng.pick(CHANNELS),
				userId: u.id,
				orderInfo: '账户充值',
				createdAt: new Date(at),
				channelTxnNo: wait ? null : channelNo()
			})
		);
		if (!r) return;
		if (wait) pendingPayment(at, no, () => add(userPending, u.id, amount));
		else {
			add(userPending, u.id, amount);
			if (rng.chance(0.1)) refundable.push({ txnNo: no, left: amount, at, userId: u.id, toUser: true });
		}
	}

	/** A WAIT_PAY order: most are paid within minutes, some closed or cancelled. */
	function pendingPayment(at: number, no: string, onPaid: () => void) {
		const when = at + rng.int(1, 40) * MINUTE;
		const outcome = rng.weighted([
			['pay', 60],
			['close', 30],
			['cancel', 10]
		] as const);
		later(when, async () => {
			if (outcome === 'pay') {
				const r = await attempt('complete', () => completePayment(trx, { merchantId: o.merchantId, platformTxnNo: no, at: new Date(when), channelTxnNo: channelNo() }));
				if (r) onPaid();
			} else {
				await attempt('close', () =>
					closePayment(trx, { merchantId: o.merchantId, platformTxnNo: no, at: new Date(when), status: outcome === 'close' ? 'TRADE_CLOSE' : 'TRADE_CANCEL' })
				);
			}
		});
	}

	async function consume(at: number, users: SeededUser[], secured: boolean) {
		const u = users.length && rng.chance(0.92) ? rng.pick(users) : null;
		const amount = secured ? rng.amountFen(30, 3000) : rng.amountFen(3, 1500);
		const balance = u !== null && (userAvail.get(u.id) ?? 0n) >= amount && rng.chance(0.6);
		const coupon = o.coupons && !secured && rng.chance(0.12) ? (amount * BigInt(rng.int(5, 20))) / 100n : 0n;
		const fee = o.fees ? (amount * 6n) / 1000n : 0n;
		const useCoupon = coupon > 0n && coupon <= couponAvail;
		const useFee = fee > 0n && fee <= feeAvail;
		const wait = rng.chance(0.07);
		const no = txnNo(at);
		const r = await attempt(secured ? 'SECURED_CONSUME' : 'GENERAL_CONSUME', () =>
			postPayment(trx, {
				merchantId: o.merchantId,
				platformTxnNo: no,
				merchantOrderNo: orderNo('P', at),
				txnType: secured ? 'SECURED_CONSUME' : 'GENERAL_CONSUME',
				status: wait ? 'TRADE_WAIT_PAY' : 'TRADE_SUCCESS',
				amount,
				couponAmount: useCoupon ? coupon : 0n,
				feeAmount: useFee ? fee : 0n,
				payMethod: balance ? 'BALANCE' : rng.pick(CHANNELS),
				payProduct: secured ? '担保交易' : '普通消费',
				userId: u?.id ?? null,
				orderInfo: rng.pick(PRODUCTS),
				memo: rng.chance(0.2) ? faker.lorem.words(2) : null,
				merchantOrderTime: new Date(at - rng.int(0, 90) * 1000),
				createdAt: new Date(at),
				channelTxnNo: balance || wait ? null : channelNo()
			})
		);
		if (!r) return;
		const cash = amount - (useCoupon ? coupon : 0n);
		const onPaid = () => {
			if (balance && u) add(userAvail, u.id, -cash);
			if (useCoupon) couponAvail -= coupon;
			if (useFee) feeAvail -= fee;
			if (!secured) ownPending += amount;
		};
		if (wait) {
			if (balance && u) add(userAvail, u.id, -cash); // reserved in the model so a later order does not overspend
			pendingPayment(at, no, () => {
				if (balance && u) add(userAvail, u.id, cash);
				onPaid();
			});
			return;
		}
		onPaid();
		const entry = { txnNo: no, left: amount, at, userId: u?.id ?? null, toUser: false };
		if (!secured) {
			if (rng.chance(0.06)) refundable.push(entry);
			return;
		}
		// Guarantee trades: most confirmed within days, some in two parts, some still held.
		const plan = rng.weighted([
			['full', 60],
			['partial', 20],
			['refund', 5],
			['hold', 15]
		] as const);
		if (plan === 'refund') refundable.push(entry);
		if (plan === 'hold') return;
		const first = plan === 'partial' ? (amount * BigInt(rng.int(30, 70))) / 100n : amount;
		const confirmAt = at + rng.int(6, 96) * HOUR;
		const confirm = (when: number, part: bigint) =>
			later(when, async () => {
				const cno = txnNo(when);
				const done = await attempt('SECURED_CONFIRM', () =>
					postPayment(trx, {
						merchantId: o.merchantId,
						platformTxnNo: cno,
						merchantOrderNo: orderNo('C', when),
						txnType: 'SECURED_CONFIRM',
						status: 'TRADE_SUCCESS',
						amount: part,
						originalPlatformTxnNo: no,
						orderInfo: '确认收货',
						createdAt: new Date(when)
					})
				);
				if (done) ownPending += part;
			});
		if (plan !== 'refund') confirm(confirmAt, first);
		if (plan === 'partial' && rng.chance(0.5)) confirm(confirmAt + rng.int(24, 72) * HOUR, amount - first);
	}

	async function innerPayout(at: number, users: SeededUser[]) {
		if (!users.length) return;
		const u = rng.pick(users);
		const amount = rng.amountFen(5, 300);
		if (amount > ownAvail) return;
		const r = await attempt('INNER_FUND_EXCHANGE', () =>
			postPayment(trx, {
				merchantId: o.merchantId,
				platformTxnNo: txnNo(at),
				merchantOrderNo: orderNo('I', at),
				txnType: 'INNER_FUND_EXCHANGE',
				status: 'TRADE_SUCCESS',
				amount,
				payMethod: 'BALANCE',
				userId: u.id,
				orderInfo: rng.pick(INNER_MEMOS),
				createdAt: new Date(at)
			})
		);
		if (r) {
			ownAvail -= amount;
			add(userPending, u.id, amount);
		}
	}

	async function refund(at: number) {
		const candidates = refundable.filter((p) => p.left > 0n && p.at < at - 10 * MINUTE);
		if (!candidates.length) return;
		const p = candidates[rng.int(Math.max(0, candidates.length - 50), candidates.length - 1)];
		const amount = rng.chance(0.6) ? p.left : (p.left * BigInt(rng.int(20, 80))) / 100n || 1n;
		// Keep refunds payable from what the merchant (or user) holds in the model.
		if (!p.toUser && amount > ownAvail + ownPending) return;
		if (p.toUser && p.userId !== null && amount > (userAvail.get(p.userId) ?? 0n) + (userPending.get(p.userId) ?? 0n)) return;
		const no = txnNo(at);
		const r = await attempt('REFUND', () =>
			postRefund(trx, {
				merchantId: o.merchantId,
				platformTxnNo: no,
				refundNo: orderNo('R', at),
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
		later(when, async () => {
			const done = await attempt('REFUND complete', () =>
				completeRefund(trx, {
					merchantId: o.merchantId,
					platformTxnNo: no,
					at: new Date(when),
					status: ok ? 'TRADE_SUCCESS' : 'TRADE_FAILURE',
					channelTxnNo: ok ? channelNo() : null
				})
			);
			if (!done || !ok) {
				p.left += amount;
				return;
			}
			// Refunds take AVAILABLE first; the model follows roughly and the ledger has the last word.
			if (p.toUser && p.userId !== null) {
				const avail = userAvail.get(p.userId) ?? 0n;
				const fromAvail = avail < amount ? avail : amount;
				add(userAvail, p.userId, -fromAvail);
				add(userPending, p.userId, fromAvail - amount);
			} else {
				const fromAvail = ownAvail < amount ? ownAvail : amount;
				ownAvail -= fromAvail;
				ownPending -= amount - fromAvail;
			}
		});
	}

	/** CHECKING → (PREPAID) → SUCCESS / FAILURE, and now and then a bank return after success. */
	function withdrawalLifecycle(at: number, no: string, giveBack: () => void) {
		const prepaidAt = at + rng.int(10, 120) * MINUTE;
		const doneAt = prepaidAt + rng.int(30, 240) * MINUTE;
		const outcome = rng.weighted([
			['success', 85],
			['failure', 9],
			['return', 6]
		] as const);
		const update = (when: number, status: 'TRADE_PREPAID' | 'TRADE_SUCCESS' | 'TRADE_FAILURE' | 'TRADE_CANCEL', after?: () => void) =>
			later(when, async () => {
				const r = await attempt(`withdrawal ${status}`, () =>
					updateWithdrawalStatus(trx, { merchantId: o.merchantId, platformTxnNo: no, status, at: new Date(when), channelTxnNo: status === 'TRADE_SUCCESS' ? channelNo() : null })
				);
				if (r && after) after();
			});
		if (rng.chance(0.6)) update(prepaidAt, 'TRADE_PREPAID');
		if (outcome === 'failure') update(doneAt, 'TRADE_FAILURE', giveBack);
		else {
			update(doneAt, 'TRADE_SUCCESS');
			if (outcome === 'return') update(doneAt + rng.int(12, 72) * HOUR, 'TRADE_CANCEL', giveBack);
		}
	}

	async function withdraw(at: number, users: SeededUser[]) {
		const rich = users.filter((u) => (userAvail.get(u.id) ?? 0n) >= 10_000n && u.cards.some((c) => c.cardType === 'DEBIT'));
		if (!rich.length) return;
		const u = rng.pick(rich);
		const avail = userAvail.get(u.id)!;
		const fee = o.fees && feeAvail >= 200n ? 200n : 0n;
		const amount = (avail * BigInt(rng.int(20, 90))) / 100n;
		const card = u.cards.find((c) => c.cardType === 'DEBIT')!;
		const no = txnNo(at);
		const r = await attempt('ACCT_CASH_OUT', () =>
			postWithdrawal(trx, {
				merchantId: o.merchantId,
				platformTxnNo: no,
				merchantOrderNo: orderNo('W', at),
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
		if (!r) return;
		add(userAvail, u.id, -amount);
		feeAvail -= fee;
		withdrawalLifecycle(at, no, () => {
			add(userAvail, u.id, amount);
			feeAvail += fee;
		});
	}

	async function payout(at: number) {
		const amount = rng.amountFen(50, 5000);
		if (amount > ownAvail) return;
		const card = bankCard(rng, { debitOnly: true });
		const no = txnNo(at);
		const r = await attempt('OUTER_FUND_EXCHANGE', () =>
			postWithdrawal(trx, {
				merchantId: o.merchantId,
				platformTxnNo: no,
				merchantOrderNo: orderNo('D', at),
				txnType: 'OUTER_FUND_EXCHANGE',
				status: 'TRADE_CHECKING',
				amount,
				cardNo: card.cardNo,
				bankName: card.bankName,
				payeeName: faker.person.fullName(),
				memo: rng.pick(PAYOUT_MEMOS),
				createdAt: new Date(at)
			})
		);
		if (!r) return;
		ownAvail -= amount;
		withdrawalLifecycle(at, no, () => {
			ownAvail += amount;
		});
	}

	const ACTIONS = [
		['topup', 22],
		['consume', 44],
		['secured', 9],
		['inner', 4],
		['refund', 7],
		['withdraw', 5],
		['payout', 3],
		['mchtopup', 0.4]
	] as const;

	for (let d = o.days - 1; d >= 0; d--) {
		const date = addDays(today, -d);
		const dayStart = startOfBusinessDate(date).getTime();
		const dayEnd = Math.min(dayStart + DAY, nowMs);
		await db.transaction().execute(async (dayTrx) => {
			trx = dayTrx;
			await resync();
			if (d === o.days - 1) {
				await merchantTopUp(dayStart + 9 * HOUR, o.openingTopUp, 'MCHOWN');
				if (o.fees) await merchantTopUp(dayStart + 9 * HOUR + 5 * MINUTE, o.openingTopUp / 20n, 'MCHFEE');
				if (o.coupons) await merchantTopUp(dayStart + 9 * HOUR + 10 * MINUTE, o.openingTopUp / 10n, 'MCHCOUPON');
			}
			const weekend = [0, 6].includes(new Date(dayStart + 12 * HOUR).getUTCDay());
			const n = Math.round(o.ordersPerDay * (weekend ? 1.25 : 1) * (0.85 + rng.next() * 0.3));
			const times = Array.from({ length: n }, () => timeInDay(rng, dayStart)).filter((t) => t < dayEnd);
			const events: FollowUp[] = times.map((at) => ({
				at,
				run: async () => {
					const users = activeUsers(at);
					const action = rng.weighted(ACTIONS);
					if (action === 'topup') {
						if (users.length) await userTopUp(at, rng.pick(users));
					} else if (action === 'consume') await consume(at, users, false);
					else if (action === 'secured') await consume(at, users, true);
					else if (action === 'inner') await innerPayout(at, users);
					else if (action === 'refund') await refund(at);
					else if (action === 'withdraw') await withdraw(at, users);
					else if (action === 'payout') await payout(at);
					else await merchantTopUp(at, rng.amountFen(20_000, 200_000), 'MCHOWN');
				}
			}));
			// Follow-ups scheduled while this day runs and due today join the queue as they appear.
			const queue = events.sort((a, b) => a.at - b.at);
			const takeDue = () => {
				for (let i = followUps.length - 1; i >= 0; i--)
					if (followUps[i].at < dayEnd) {
						queue.push(followUps[i]);
						followUps.splice(i, 1);
					}
				queue.sort((a, b) => a.at - b.at);
			};
			takeDue();
			while (queue.length) {
				const e = queue.shift()!;
				await e.run();
				if (followUps.length) takeDue();
			}
			if (date < today) {
				const r = await attempt('settlement', () =>
					runDailySettlement(trx, { merchantId: o.merchantId, accountingDate: date, at: new Date(dayStart + DAY + 5 * MINUTE) })
				);
				if (r) {
					ownAvail += ownPending;
					ownPending = 0n;
					for (const [k, v] of userPending) add(userAvail, k, v);
					userPending.clear();
				}
			}
		});
	}
	// The minutes before now: orders still in flight, and any outcome the random mix missed
	// (a small data set must still show every type and status).
	await db.transaction().execute(async (dayTrx) => {
		trx = dayTrx;
		await resync();
		await fillGaps();
	});
	return stats;

	async function fillGaps() {
		const users = activeUsers(nowMs - HOUR);
		if (!users.length) return;
		const seen = async (table: 'payments' | 'refunds' | 'withdrawals') =>
			new Set(
				(await trx.selectFrom(table).select(['status']).distinct().where('merchant_id', '=', o.merchantId).execute()).map((r) => r.status as string)
			);
		let at = nowMs - 50 * MINUTE;
		const tick = () => (at += MINUTE);
		const u = users[0];
		const pay = async (status: 'TRADE_WAIT_PAY' | 'TRADE_SUCCESS', txnType: 'GENERAL_CONSUME' | 'SECURED_CONSUME' = 'GENERAL_CONSUME') => {
			const no = txnNo(tick());
			await attempt(txnType, () =>
				postPayment(trx, {
					merchantId: o.merchantId,
					platformTxnNo: no,
					merchantOrderNo: orderNo('P', at),
					txnType,
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
		const paid = await seen('payments');
		await pay('TRADE_WAIT_PAY');
		for (const status of ['TRADE_CLOSE', 'TRADE_CANCEL'] as const)
			if (!paid.has(status)) {
				const no = await pay('TRADE_WAIT_PAY');
				await attempt('close', () => closePayment(trx, { merchantId: o.merchantId, platformTxnNo: no, at: new Date(tick()), status }));
			}
		const refunds = await seen('refunds');
		for (const status of ['TRADE_PROCESSING', 'TRADE_FAILURE', 'TRADE_SUCCESS'] as const) {
			if (refunds.has(status) && status !== 'TRADE_PROCESSING') continue;
			const no = await pay('TRADE_SUCCESS');
			const rno = txnNo(tick());
			await attempt('REFUND', () =>
				postRefund(trx, {
					merchantId: o.merchantId,
					platformTxnNo: rno,
					refundNo: orderNo('R', at),
					paymentPlatformTxnNo: no,
					amount: 3_000n,
					status: 'TRADE_PROCESSING',
					reason: rng.pick(REFUND_REASONS),
					createdAt: new Date(at)
				})
			);
			if (status !== 'TRADE_PROCESSING')
				await attempt('REFUND complete', () => completeRefund(trx, { merchantId: o.merchantId, platformTxnNo: rno, at: new Date(tick()), status }));
		}
		const held = await seen('withdrawals');
		const card = bankCard(rng, { debitOnly: true });
		for (const status of ['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'] as const) {
			if (held.has(status) && status !== 'TRADE_CHECKING') continue;
			const no = txnNo(tick());
			const r = await attempt('OUTER_FUND_EXCHANGE', () =>
				postWithdrawal(trx, {
					merchantId: o.merchantId,
					platformTxnNo: no,
					merchantOrderNo: orderNo('D', at),
					txnType: 'OUTER_FUND_EXCHANGE',
					status: 'TRADE_CHECKING',
					amount: 1_000n,
					cardNo: card.cardNo,
					bankName: card.bankName,
					payeeName: faker.person.fullName(),
					memo: rng.pick(PAYOUT_MEMOS),
					createdAt: new Date(at)
				})
			);
			if (!r || status === 'TRADE_CHECKING') continue;
			const steps = status === 'TRADE_CANCEL' ? (['TRADE_SUCCESS', 'TRADE_CANCEL'] as const) : ([status] as const);
			for (const s of steps)
				await attempt(`withdrawal ${s}`, () => updateWithdrawalStatus(trx, { merchantId: o.merchantId, platformTxnNo: no, status: s, at: new Date(tick()) }));
		}
	}
}
