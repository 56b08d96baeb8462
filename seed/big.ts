// The big benchmark merchant (npm run seed -- --orders 5000000): millions of orders written
// set-based, one business day per transaction, yet exactly the rows the ledger would write.
//
// How it stays ledger-consistent:
// - money only comes in from outside (CLEARING) to PSETTLE or MCHASSURE accounts, and only
//   leaves from MCHOWN AVAILABLE, which a 1亿元 MCH_TOPUP posted through the ledger the day
//   before the history starts (and settled) keeps far above every outflow; guarantee
//   confirmations only move what their own secured payment put into MCHASSURE a day earlier;
//   users only ever receive (top-ups, internal payouts), so no account can go negative;
// - each day's legs go to a temp table; fund_flows get balance_after = the account's balance
//   before the day + sum(signed amount) OVER (PARTITION BY account ORDER BY time, posting, leg),
//   inserted in that same order so ids follow it; accounts.balance += the day's net;
// - one postings row per money movement, keyed like the ledger's (platform number,
//   '<no>:RETURN', 'SETTLE:<merchant>:<date>'), so replays through the ledger still collide;
// - the end-of-day settlement writes exactly the rows of the ledger's runDailySettlement
//   (see settleDay for why it is not called directly).
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '#db/types.ts';
import { checkInvariants, postPayment } from '#shared/server/ledger/index.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { deleteMerchant, roundToHour } from './demo.ts';
import { bankCard, idCardNo, OCCUPATIONS, phone, unifiedCode } from './identity.ts';
import { Rng } from './rng.ts';
import { openDemoMerchant, seedStaff } from './staff.ts';

export const BIG_MERCHANT_NO = '2020020200000002';
const BIG_MERCHANT_NAME = '大商户';

interface BigOptions {
	orders: number;
	users?: number;
	days?: number;
	now?: Date;
	reset?: boolean;
	/** Skip the (slow on millions of rows) invariant check. */
	skipCheck?: boolean;
	log?: (line: string) => void;
}

interface BigResult {
	seeded: boolean;
	merchantId?: bigint;
	invariants?: string[];
	seconds?: { orders: number; check: number; analyze: number };
}

const OPENING_TOPUP = 10_000_000_000n; // 1亿元 in fen
const CHANNELS = ['WECHAT_APP', 'WECHAT_JSAPI', 'WECHAT_NATIVE', 'ALIPAY_APP', 'ALIPAY_NATIVE', 'ALIPAY_H5', 'EBANK_DEBIT_CARD', 'AGRT_DEBIT_CARD'];
const PRODUCTS = ['会员月卡', '精品咖啡豆', '无线耳机', '运动手环', '有机大米 5kg', '保温杯', '电影票', '话费充值', '外卖订单', '酒店预订', '火车票', '网课课程'];
const BANKS = ['工商银行', '建设银行', '农业银行', '中国银行', '招商银行', '交通银行'];

async function insertUsers(db: Kysely<DB>, merchantId: bigint, merchantNo: string, count: number, now: Date) {
	const rng = new Rng(20200202);
	const faker = new Faker({ locale: [zh_CN, en, base], seed: 20200202 });
	const BATCH = 2000;
	for (let start = 0; start < count; start += BATCH) {
		const rows = [];
		for (let i = start; i < Math.min(count, start + BATCH); i++) {
			const company = rng.chance(0.1);
			const registeredAt = new Date(now.getTime() - rng.int(130, 400) * 86_400_000 - rng.int(0, 86_399_999));
			rows.push({
				merchant_id: merchantId,
				user_no: `B${String(i + 1).padStart(9, '0')}`,
				user_type: company ? ('INNERCOMPANY' as const) : ('INNERUSER' as const),
				status: 'NORMAL' as const,
				phone: phone(rng),
				name: company ? faker.company.name() : faker.person.fullName(),
				id_type: company ? ('UNIFIED_CODE' as const) : ('ID_CARD' as const),
				id_no: company ? unifiedCode(rng) : idCardNo(rng),
				occupation: company ? null : rng.pick(OCCUPATIONS),
				registered_at: registeredAt,
				created_at: registeredAt
			});
		}
		const ids = await db.insertInto('users').values(rows).returning(['id', 'phone', 'registered_at']).execute();
		await db
			.insertInto('bank_cards')
			.values(
				ids.map((u) => {
					const c = bankCard(rng, { debitOnly: true });
					return {
						merchant_id: merchantId,
						user_id: u.id,
						card_no: c.cardNo,
						card_type: c.cardType,
						bank_name: c.bankName,
						reserved_phone: u.phone,
						bound_at: u.registered_at,
						updated_at: u.registered_at
					};
				})
			)
			.execute();
	}
	// The same account numbers openUserAccount would give, for every user at once.
	await sql`
		INSERT INTO accounts (merchant_id, user_id, account_no, account_type, sub_type, created_at)
		SELECT u.merchant_id, u.id, ${merchantNo} || '-USEROWN-' || u.user_no || '-' || k.c, 'USEROWN', k.s, u.registered_at
		FROM users u CROSS JOIN (VALUES ('PSETTLE', 'P'), ('AVAILABLE', 'A')) AS k(s, c)
		WHERE u.merchant_id = ${merchantId}
		ON CONFLICT DO NOTHING`.execute(db);
}

interface DayPlan {
	date: string;
	d8: string;
	start: Date;
	/** Exclusive end of the window orders are created in (now, on the last day). */
	end: Date;
	orders: number;
}

/** One day's orders, their follow-ups and all their ledger rows, in one transaction. */
async function seedDay(trx: Transaction<DB>, m: { id: bigint; no: string }, day: DayPlan, userIds: { first: bigint; count: number }, seed: number) {
	const mid = m.id;
	const { d8, start, end } = day;
	const prev = addDays(day.date, -1);
	const span = Math.max(1, Math.floor((end.getTime() - start.getTime()) / 1000));
	const dayEnd = new Date(Math.min(start.getTime() + 86_400_000, end.getTime()));
	await sql`SELECT setseed(${(seed % 10_000) / 10_000})`.execute(trx);

	// Payments. r1 picks the type, r2 the status, r3 the amount, r4 the channel, r5 the user.
	await sql`
		INSERT INTO payments (merchant_id, platform_txn_no, merchant_order_no, txn_type, status, amount, pay_method, pay_product,
			user_id, payer_type, payer_id, payer_account_type, payee_type, payee_id, payee_account_type, payee_name, order_info,
			merchant_order_time, created_at, completed_at, accounting_date, channel_txn_no, channel_date)
		SELECT ${mid}, ${d8} || '3' || lpad(g::text, 7, '0'), 'BP' || ${d8} || lpad(g::text, 7, '0'), t.txn_type, t.status, t.amount,
			t.pay_method, t.product, u.id,
			CASE t.txn_type WHEN 'USER_TOPUP' THEN 'CHANNEL' WHEN 'INNER_FUND_EXCHANGE' THEN 'MERCHANT' ELSE 'USER' END,
			CASE t.txn_type WHEN 'USER_TOPUP' THEN t.pay_method WHEN 'INNER_FUND_EXCHANGE' THEN ${m.no} ELSE u.user_no END,
			CASE t.txn_type WHEN 'INNER_FUND_EXCHANGE' THEN 'MCHOWN' END,
			CASE WHEN t.txn_type IN ('USER_TOPUP', 'INNER_FUND_EXCHANGE') THEN 'USER' ELSE 'MERCHANT' END,
			CASE WHEN t.txn_type IN ('USER_TOPUP', 'INNER_FUND_EXCHANGE') THEN u.user_no ELSE ${m.no} END,
			CASE t.txn_type WHEN 'SECURED_CONSUME' THEN 'MCHASSURE' WHEN 'GENERAL_CONSUME' THEN 'MCHOWN' ELSE 'USEROWN' END,
			CASE WHEN t.txn_type IN ('USER_TOPUP', 'INNER_FUND_EXCHANGE') THEN u.name END,
			t.info, t.at - interval '30 seconds', t.at,
			CASE WHEN t.status = 'TRADE_SUCCESS' THEN t.at END,
			CASE WHEN t.status = 'TRADE_SUCCESS' THEN ${day.date}::date END,
			CASE WHEN t.status = 'TRADE_SUCCESS' AND t.pay_method <> 'BALANCE' THEN '42' || ${d8} || lpad(g::text, 18, '0') END,
			CASE WHEN t.status = 'TRADE_SUCCESS' AND t.pay_method <> 'BALANCE' THEN ${day.date}::date END
		FROM generate_series(1, ${day.orders}) g
		CROSS JOIN LATERAL (SELECT random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, g AS gg) r
		CROSS JOIN LATERAL (SELECT
			CASE WHEN r.r1 < 0.20 THEN 'USER_TOPUP' WHEN r.r1 < 0.21 THEN 'INNER_FUND_EXCHANGE'
				WHEN r.r1 < 0.88 THEN 'GENERAL_CONSUME' ELSE 'SECURED_CONSUME' END AS txn_type,
			CASE WHEN r.r2 < 0.95 THEN 'TRADE_SUCCESS' WHEN r.r2 < 0.985 THEN 'TRADE_CLOSE'
				WHEN r.r2 < 0.995 THEN 'TRADE_CANCEL' ELSE 'TRADE_WAIT_PAY' END AS status,
			greatest(1, floor(exp(ln(300) + r.r3 * (ln(500000) - ln(300)))))::bigint AS amount,
			CASE WHEN r.r1 >= 0.20 AND r.r1 < 0.21 THEN 'BALANCE'
				ELSE (${sql.val(CHANNELS)}::text[])[1 + floor(r.r4 * ${CHANNELS.length})::int] END AS pay_method,
			CASE WHEN r.r1 < 0.20 THEN '账户充值' WHEN r.r1 < 0.21 THEN '内部代发'
				ELSE (${sql.val(PRODUCTS)}::text[])[1 + floor(r.r6 * ${PRODUCTS.length})::int] END AS info,
			CASE WHEN r.r1 < 0.88 THEN '普通消费' ELSE '担保交易' END AS product,
			${start}::timestamptz + make_interval(secs => floor(r.r6 * ${span})) AS at) t
		JOIN users u ON u.id = ${userIds.first} + floor(r.r5 * ${userIds.count})::bigint
		ORDER BY t.at, g`.execute(trx);

	// Guarantee confirmations a day after 70 % of yesterday's secured payments.
	await sql`
		WITH c AS (
			SELECT p.id, p.amount, p.user_id, greatest(${start}::timestamptz, p.created_at + interval '1 day' - interval '15 minutes') AS at,
				row_number() OVER (ORDER BY p.id) AS n
			FROM payments p
			WHERE p.merchant_id = ${mid} AND p.accounting_date = ${prev}::date AND p.txn_type = 'SECURED_CONSUME'
				AND p.status = 'TRADE_SUCCESS' AND p.id % 10 < 7),
		ins AS (
			INSERT INTO payments (merchant_id, platform_txn_no, merchant_order_no, txn_type, status, amount, pay_method, user_id,
				payer_type, payer_id, payer_account_type, payee_type, payee_id, payee_account_type, original_payment_id, order_info,
				merchant_order_time, created_at, completed_at, accounting_date)
			SELECT ${mid}, ${d8} || '4' || lpad(c.n::text, 7, '0'), 'BC' || ${d8} || lpad(c.n::text, 7, '0'), 'SECURED_CONFIRM',
				'TRADE_SUCCESS', c.amount, NULL, c.user_id, 'MERCHANT', ${m.no}, 'MCHASSURE', 'MERCHANT', ${m.no}, 'MCHOWN', c.id,
				'确认收货', c.at, c.at, c.at, ${day.date}::date
			FROM c WHERE c.at < ${end}::timestamptz ORDER BY c.at, c.n
			RETURNING original_payment_id, amount)
		UPDATE payments p SET confirmed_amount = p.confirmed_amount + ins.amount FROM ins WHERE p.id = ins.original_payment_id`.execute(trx);

	// Refunds of ~3 % of yesterday's purchases: most full, a third partial, 5 % failed.
	await sql`
		WITH c AS (
			SELECT p.id, p.amount, p.pay_method, row_number() OVER (ORDER BY p.id) AS n,
				greatest(${start}::timestamptz, p.created_at + interval '1 day' - interval '20 minutes') AS at,
				CASE WHEN p.id % 3 = 0 THEN greatest(1, p.amount / 2) ELSE p.amount END AS refund
			FROM payments p
			WHERE p.merchant_id = ${mid} AND p.accounting_date = ${prev}::date AND p.txn_type = 'GENERAL_CONSUME'
				AND p.status = 'TRADE_SUCCESS' AND p.id % 29 = 0),
		s AS (
			SELECT c.*, CASE WHEN c.at + interval '10 minutes' >= ${end}::timestamptz THEN 'TRADE_PROCESSING'
				WHEN c.id % 20 = 0 THEN 'TRADE_FAILURE' ELSE 'TRADE_SUCCESS' END AS status
			FROM c WHERE c.at < ${end}::timestamptz),
		ins AS (
			INSERT INTO refunds (merchant_id, payment_id, platform_txn_no, refund_no, amount, status, reason, created_at, processed_at,
				accounting_date, channel_txn_no)
			SELECT ${mid}, s.id, ${d8} || '5' || lpad(s.n::text, 7, '0'), 'BR' || ${d8} || lpad(s.n::text, 7, '0'), s.refund, s.status,
				'用户取消订单', s.at, CASE WHEN s.status <> 'TRADE_PROCESSING' THEN s.at + interval '10 minutes' END,
				CASE WHEN s.status = 'TRADE_SUCCESS' THEN ${day.date}::date END,
				CASE WHEN s.status = 'TRADE_SUCCESS' THEN '50' || ${d8} || lpad(s.n::text, 18, '0') END
			FROM s ORDER BY s.at, s.n
			RETURNING payment_id, amount, status)
		UPDATE payments p SET refunded_amount = p.refunded_amount + ins.amount
		FROM ins WHERE p.id = ins.payment_id AND ins.status = 'TRADE_SUCCESS'`.execute(trx);

	// Payouts and withdrawals of the merchant's own funds: ~2 % of the day's orders.
	const payouts = Math.max(1, Math.round(day.orders * 0.02));
	await sql`
		INSERT INTO withdrawals (merchant_id, platform_txn_no, merchant_order_no, txn_type, status, amount, user_id, card_no, bank_name,
			payee_name, memo, created_at, completed_at, accounting_date, channel_txn_no)
		SELECT ${mid}, ${d8} || '6' || lpad(g::text, 7, '0'), 'BW' || ${d8} || lpad(g::text, 7, '0'),
			CASE WHEN g % 3 = 0 THEN 'ACCT_CASH_OUT' ELSE 'OUTER_FUND_EXCHANGE' END, t.status, t.amount, NULL,
			'6222' || lpad((((g::bigint * 7919 + ${Number(d8)}::bigint) * 104729) % 1000000000000000)::text, 15, '0'),
			(${sql.val(BANKS)}::text[])[1 + g % ${BANKS.length}], CASE WHEN g % 3 = 0 THEN ${BIG_MERCHANT_NAME} ELSE '供应商' || (g % 97) END,
			CASE WHEN g % 3 = 0 THEN '商户提现' ELSE '供应商货款' END,
			t.at, CASE WHEN t.status NOT IN ('TRADE_CHECKING', 'TRADE_PREPAID') THEN t.done END, ${day.date}::date,
			CASE WHEN t.status IN ('TRADE_SUCCESS', 'TRADE_CANCEL') THEN '60' || ${d8} || lpad(g::text, 18, '0') END
		FROM generate_series(1, ${payouts}) g
		CROSS JOIN LATERAL (SELECT random() r1, random() r2, random() r3, g AS gg) r
		CROSS JOIN LATERAL (SELECT
			${start}::timestamptz + make_interval(secs => floor(r.r3 * ${span})) AS at,
			CASE WHEN r.r1 < 0.88 THEN 'TRADE_SUCCESS' WHEN r.r1 < 0.94 THEN 'TRADE_FAILURE' WHEN r.r1 < 0.97 THEN 'TRADE_CANCEL'
				WHEN r.r1 < 0.985 THEN 'TRADE_PREPAID' ELSE 'TRADE_CHECKING' END AS status,
			greatest(100, floor(exp(ln(10000) + r.r2 * (ln(5000000) - ln(10000)))))::bigint AS amount) t0
		CROSS JOIN LATERAL (SELECT t0.*, least(t0.at + interval '2 hours', ${dayEnd}::timestamptz - interval '1 second') AS done) t
		ORDER BY t.at, g`.execute(trx);

	// The day's ledger legs: from → to, with the ledger's posting keys, flow numbers and memos.
	await sql`CREATE TEMP TABLE IF NOT EXISTS seed_legs (
		at timestamptz, posting_key text, kind text, leg int, order_kind text, order_id bigint, order_no text,
		merchant_order_no text, pay_method text, flow_prefix text, from_acc bigint, to_acc bigint, amount bigint,
		txn_type text, memo text) ON COMMIT DELETE ROWS`.execute(trx);
	const acc = sql`(SELECT id FROM accounts WHERE merchant_id = ${mid} AND user_id IS NULL AND account_type = `;
	await sql`
		WITH a AS (SELECT
			${acc}'CLEARING') AS clearing,
			${acc}'MCHOWN' AND sub_type = 'PSETTLE') AS own_p,
			${acc}'MCHOWN' AND sub_type = 'AVAILABLE') AS own_a,
			${acc}'MCHASSURE' AND sub_type = 'AVAILABLE') AS assure_a)
		INSERT INTO seed_legs
		SELECT p.completed_at, p.platform_txn_no, 'PAYMENT', 1, 'PAYMENT', p.id, p.platform_txn_no, p.merchant_order_no, p.pay_method,
			p.platform_txn_no,
			CASE p.txn_type WHEN 'INNER_FUND_EXCHANGE' THEN a.own_a WHEN 'SECURED_CONFIRM' THEN a.assure_a ELSE a.clearing END,
			CASE p.txn_type WHEN 'GENERAL_CONSUME' THEN a.own_p WHEN 'SECURED_CONSUME' THEN a.assure_a WHEN 'SECURED_CONFIRM' THEN a.own_p
				ELSE up.id END,
			p.amount, p.txn_type,
			CASE p.txn_type WHEN 'USER_TOPUP' THEN '用户充值' WHEN 'GENERAL_CONSUME' THEN '普通消费' WHEN 'SECURED_CONSUME' THEN '担保支付'
				WHEN 'SECURED_CONFIRM' THEN '担保确认' ELSE '内部代发' END
		FROM payments p CROSS JOIN a
		LEFT JOIN accounts up ON up.merchant_id = ${mid} AND up.user_id = p.user_id AND up.account_type = 'USEROWN' AND up.sub_type = 'PSETTLE'
			AND p.txn_type IN ('USER_TOPUP', 'INNER_FUND_EXCHANGE')
		WHERE p.merchant_id = ${mid} AND p.accounting_date = ${day.date}::date AND p.status = 'TRADE_SUCCESS'
		UNION ALL
		SELECT r.processed_at, r.platform_txn_no, 'REFUND', 1, 'REFUND', r.id, r.platform_txn_no, r.refund_no, p.pay_method,
			r.platform_txn_no, a.own_a, a.clearing, r.amount, 'REFUND', '退款'
		FROM refunds r JOIN payments p ON p.id = r.payment_id CROSS JOIN a
		WHERE r.merchant_id = ${mid} AND r.accounting_date = ${day.date}::date AND r.status = 'TRADE_SUCCESS'
		UNION ALL
		SELECT w.created_at, w.platform_txn_no, 'WITHDRAWAL', 1, 'WITHDRAWAL', w.id, w.platform_txn_no, w.merchant_order_no, NULL,
			w.platform_txn_no, a.own_a, a.clearing, w.amount, w.txn_type, CASE w.txn_type WHEN 'ACCT_CASH_OUT' THEN '账户提现' ELSE '外部代发' END
		FROM withdrawals w CROSS JOIN a
		WHERE w.merchant_id = ${mid} AND w.accounting_date = ${day.date}::date
		UNION ALL
		SELECT w.completed_at, w.platform_txn_no || ':RETURN', 'WITHDRAWAL_RETURN', 1, 'WITHDRAWAL', w.id, w.platform_txn_no,
			w.merchant_order_no, NULL, w.platform_txn_no || '-R', a.clearing, a.own_a, w.amount, w.txn_type,
			CASE w.status WHEN 'TRADE_CANCEL' THEN '退汇' ELSE '提现失败退回' END
		FROM withdrawals w CROSS JOIN a
		WHERE w.merchant_id = ${mid} AND w.accounting_date = ${day.date}::date AND w.status IN ('TRADE_FAILURE', 'TRADE_CANCEL')`.execute(trx);

	// Postings and flows in one statement: the new posting ids are joined from the CTE, never
	// looked up in the (millions of rows) postings table.
	await sql`ANALYZE seed_legs`.execute(trx);
	await sql`
		WITH po AS (
			INSERT INTO postings (merchant_id, posting_key, kind, created_at)
			SELECT ${mid}, posting_key, kind, at FROM seed_legs ORDER BY at, posting_key
			RETURNING id, posting_key)
		INSERT INTO fund_flows (merchant_id, posting_id, flow_no, account_id, account_type, sub_type, user_id, txn_type, direction, amount,
			balance_after, accounting_date, order_kind, order_id, order_no, merchant_order_no, pay_method, counter_account_no, memo, created_at)
		SELECT ${mid}, po.id, l.flow_prefix || '-' || lpad(((l.leg - 1) * 2 + x.n)::text, 2, '0'), x.acc, ac.account_type, ac.sub_type,
			ac.user_id, l.txn_type, x.direction, l.amount,
			ac.balance + sum(CASE x.direction WHEN 'CREDIT' THEN l.amount ELSE -l.amount END)
				OVER (PARTITION BY x.acc ORDER BY l.at, l.posting_key, l.leg, x.n ROWS UNBOUNDED PRECEDING),
			(l.at AT TIME ZONE 'Asia/Shanghai')::date, l.order_kind, l.order_id, l.order_no, l.merchant_order_no, l.pay_method,
			co.account_no, l.memo, l.at
		FROM seed_legs l
		JOIN po ON po.posting_key = l.posting_key
		CROSS JOIN LATERAL (VALUES (l.from_acc, l.to_acc, 'DEBIT', 1), (l.to_acc, l.from_acc, 'CREDIT', 2)) AS x(acc, counter, direction, n)
		JOIN accounts ac ON ac.id = x.acc
		JOIN accounts co ON co.id = x.counter
		ORDER BY l.at, l.posting_key, l.leg, x.n`.execute(trx);
	await sql`
		UPDATE accounts a SET balance = a.balance + d.net, updated_at = d.at
		FROM (SELECT x.acc, sum(CASE x.direction WHEN 'CREDIT' THEN l.amount ELSE -l.amount END) AS net, max(l.at) AS at
			FROM seed_legs l CROSS JOIN LATERAL (VALUES (l.from_acc, 'DEBIT'), (l.to_acc, 'CREDIT')) AS x(acc, direction)
			GROUP BY x.acc) d
		WHERE a.id = d.acc`.execute(trx);
}

/**
 * The same rows runDailySettlement writes (posting key, flow numbers, memo), without its
 * account lock query, whose correlated EXISTS on `user_id IS NOT DISTINCT FROM` grows with
 * the square of the number of user accounts (seconds per day at 20,000 users). Nothing
 * else writes to this merchant while it is seeded, so no locks are needed.
 */
async function settleDay(trx: Transaction<DB>, mid: bigint, date: string, at: Date) {
	const orderNo = `SETTLE-${mid}-${date}`;
	const posting = await trx
		.insertInto('postings')
		.values({ merchant_id: mid, posting_key: `SETTLE:${mid}:${date}`, kind: 'SETTLEMENT', created_at: at })
		.returning('id')
		.executeTakeFirstOrThrow();
	await sql`
		INSERT INTO fund_flows (merchant_id, posting_id, flow_no, account_id, account_type, sub_type, user_id, txn_type,
			direction, amount, balance_after, accounting_date, order_kind, order_id, order_no, merchant_order_no,
			pay_method, counter_account_no, memo, created_at)
		SELECT p.merchant_id, ${posting.id}, ${orderNo} || '-' || x.acc_id || x.dir_code, x.acc_id, p.account_type, x.sub_type,
			p.user_id, 'DAILY_SETTLEMENT', x.direction, p.balance, x.balance_after, ${date}::date, 'SETTLEMENT', NULL,
			${orderNo}, NULL, NULL, x.counter_no, '日终结转', ${at}
		FROM accounts p
		JOIN accounts a ON a.merchant_id = p.merchant_id AND a.account_type = p.account_type
			AND coalesce(a.user_id, 0) = coalesce(p.user_id, 0) AND a.sub_type = 'AVAILABLE'
		CROSS JOIN LATERAL (VALUES
			(p.id, 'PSETTLE', 'DEBIT', 0::bigint, a.account_no, 'D'),
			(a.id, 'AVAILABLE', 'CREDIT', a.balance + p.balance, p.account_no, 'C')
		) AS x(acc_id, sub_type, direction, balance_after, counter_no, dir_code)
		WHERE p.merchant_id = ${mid} AND p.sub_type = 'PSETTLE' AND p.balance > 0
		ORDER BY p.id, x.dir_code DESC`.execute(trx);
	await sql`
		UPDATE accounts SET balance = f.balance_after, updated_at = ${at}
		FROM fund_flows f WHERE f.posting_id = ${posting.id} AND f.account_id = accounts.id`.execute(trx);
}

async function isBigSeeded(db: Kysely<DB>): Promise<boolean> {
	return (await db.selectFrom('merchants').select('id').where('merchant_no', '=', BIG_MERCHANT_NO).executeTakeFirst()) !== undefined;
}

export async function seedBig(db: Kysely<DB>, o: BigOptions): Promise<BigResult> {
	const log = o.log ?? (() => {});
	if (o.reset) {
		if (await deleteMerchant(db, BIG_MERCHANT_NO)) log(`deleted merchant ${BIG_MERCHANT_NO}`);
	} else if (await isBigSeeded(db)) return { seeded: false };
	const t0 = Date.now();
	const now = roundToHour(o.now ?? new Date());
	const days = o.days ?? 120;
	const userCount = o.users ?? Math.min(20_000, Math.max(100, Math.round(o.orders / 250)));
	const today = businessDate(now);
	const first = addDays(today, -(days - 1));
	const createdAt = startOfBusinessDate(addDays(first, -30));

	const { merchantId: mid, adminId } = await openDemoMerchant(db, { merchantNo: BIG_MERCHANT_NO, name: BIG_MERCHANT_NAME, adminName: '孙管理', createdAt });
	await seedStaff(db, mid, BIG_MERCHANT_NO, { adminId, operators: [], createdAt });
	await insertUsers(db, mid, BIG_MERCHANT_NO, userCount, now);
	const ids = await db
		.selectFrom('users')
		.select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last')])
		.where('merchant_id', '=', mid)
		.executeTakeFirstOrThrow();
	const firstUser = BigInt(ids.first);
	const usersSpan = Number(BigInt(ids.last) - firstUser) + 1;
	if (usersSpan !== userCount) throw new Error('user ids are not contiguous; cannot map orders to users');
	log(`big merchant: ${userCount} users (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

	// Opening funds through the ledger itself, settled before the history starts.
	const openingDay = addDays(first, -1);
	const openingAt = new Date(startOfBusinessDate(openingDay).getTime() + 9 * 3_600_000);
	await postPayment(db, {
		merchantId: mid,
		platformTxnNo: `${openingDay.replaceAll('-', '')}30000000`,
		merchantOrderNo: `BT${openingDay.replaceAll('-', '')}0000001`,
		txnType: 'MCH_TOPUP',
		status: 'TRADE_SUCCESS',
		amount: OPENING_TOPUP,
		payMethod: 'EBANK_DEBIT_CARD',
		orderInfo: '商户自有资金充值',
		createdAt: openingAt
	});
	await db.transaction().execute((trx) => settleDay(trx, mid, openingDay, startOfBusinessDate(first)));

	// Orders per day: the total spread evenly, the last (partial) day pro rata up to now.
	const todayStart = startOfBusinessDate(today);
	const todayShare = (now.getTime() - todayStart.getTime()) / 86_400_000;
	const perDay = o.orders / (days - 1 + todayShare);
	// The rounding remainder goes to the last day that has a window: in the first hour after
	// midnight today has none (now is floored to the hour), and its orders would be lost.
	const lastWithWindow = todayShare > 0 ? days - 1 : days - 2;
	let written = 0;
	for (let i = 0; i < days; i++) {
		const date = addDays(first, i);
		const start = startOfBusinessDate(date);
		const isToday = date === today;
		const orders = i === lastWithWindow ? o.orders - written : i > lastWithWindow ? 0 : Math.round(perDay);
		const end = isToday ? now : new Date(start.getTime() + 86_400_000);
		if (orders > 0 && end > start) {
			await db.transaction().execute((trx) =>
				seedDay(trx, { id: mid, no: BIG_MERCHANT_NO }, { date, d8: date.replaceAll('-', ''), start, end, orders }, { first: firstUser, count: usersSpan }, i + 1)
			);
			written += orders;
		}
		if (!isToday) await db.transaction().execute((trx) => settleDay(trx, mid, date, new Date(start.getTime() + 86_400_000 + 300_000)));
		// Fresh tables have no statistics: after the first day the per-day statements plan as
		// if the tables were empty and slow down ~20× at 5M scale. Refresh now and then.
		if (i === 0 || (i + 1) % 30 === 0) await analyzeTables(db);
		if ((i + 1) % 10 === 0 || isToday) log(`big merchant: day ${i + 1}/${days}, ${written} orders (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	}
	const tOrders = (Date.now() - t0) / 1000;

	// Statistics first: without them the invariant joins over fresh tables plan as nested loops (minutes).
	// Vacuumed too: until the visibility map is set, an index-only scan (a count over the users,
	// the rollups) still reads every heap page, and the first lists measured read that way.
	const t2 = Date.now();
	await analyzeTables(db, 'VACUUM (ANALYZE)');
	const tAnalyze = (Date.now() - t2) / 1000;
	const t1 = Date.now();
	const invariants = o.skipCheck ? [] : await checkInvariants(db, mid);
	const tCheck = (Date.now() - t1) / 1000;
	if (invariants.length) log(`LEDGER INVARIANTS VIOLATED:\n${invariants.join('\n')}`);
	else if (!o.skipCheck) log(`big merchant: invariants hold (${tCheck.toFixed(1)} s)`);
	log(`big merchant: ${written} orders in ${tOrders.toFixed(1)} s; check ${tCheck.toFixed(1)} s; analyze ${tAnalyze.toFixed(1)} s`);
	return { seeded: true, merchantId: mid, invariants, seconds: { orders: tOrders, check: tCheck, analyze: tAnalyze } };
}

async function analyzeTables(db: Kysely<DB>, command: 'ANALYZE' | 'VACUUM (ANALYZE)' = 'ANALYZE'): Promise<void> {
	for (const t of ['users', 'accounts', 'postings', 'payments', 'refunds', 'withdrawals', 'fund_flows', 'order_rollup_days', 'order_rollup_hours', 'flow_rollup_days', 'flow_rollup_hours'])
		await sql`${sql.raw(command)} ${sql.table(t)}`.execute(db);
}
