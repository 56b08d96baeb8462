// The statement's rows as one SQL query, so Postgres does the formatting (Asia/Shanghai
// times, 元 from fen, formula neutralising) and COPY streams the CSV out at full speed.
// COPY takes no bind parameters: the only values inlined are a bigint and a checked date (no
// text anyone typed), and our own labels as E'' literals (sql-cells.ts).
import {
	csvIdentifierSql as csvIdentifier,
	isoDateSql,
	labelledSql as labelled,
	neutralisedSql as neutralised,
	shanghaiTimeSql as time,
	sqlLiteral as literal,
	yuanSql as yuan
} from '../sql-cells.ts';
import { maskCardNoSql } from '../mask.ts';
import { FREE_TEXT_COLUMNS, IDENTIFIER_COLUMNS, LABELS, RECONCILED_ACCOUNTS } from './layout.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A date column as 'YYYY-MM-DD' (cast under the COPY transaction's DateStyle ISO). */
function day(expr: string): string {
	return isoDateSql(expr);
}

/**
 * The order's 交易流水号: its first ledger flow. The ledger numbers the flows of an order's
 * posting `<platform no>-01`, `-02`, … (tests/statements check this against fund_flows), so
 * no per-row lookup is needed.
 */
function firstFlow(platformNo: string): string {
	return `${platformNo} || '-01'`;
}

/**
 * What the rows are for: `csv` (amounts as 元, long numeric ids with a leading backtick),
 * `xlsx` (amounts as 元 text for numeric cells, ids as they are: cells are text already),
 * `summary` (amounts as int8 fen, for sums).
 */
export type RowsFor = 'csv' | 'xlsx' | 'summary';

/** A column's cell: free text neutralised, and in CSV long numeric ids marked. */
function cell(i: number, expr: string, target: RowsFor): string {
	if (target === 'csv' && IDENTIFIER_COLUMNS.has(i)) return csvIdentifier(expr, FREE_TEXT_COLUMNS.has(i));
	return FREE_TEXT_COLUMNS.has(i) ? neutralised(expr) : expr;
}

/**
 * The accounting days a statement covers, both ends inclusive: one day (a day statement) or a
 * range of closed days (a range statement, at most STATEMENT_RANGE_MAX_DAYS).
 */
export interface StatementPeriod {
	from: string;
	to: string;
}

/** A day or a period as a period. */
export function periodOf(p: string | StatementPeriod): StatementPeriod {
	return typeof p === 'string' ? { from: p, to: p } : p;
}

/** `expr` (a date column) within the period, as SQL over our own checked dates: `=` for one day, so its plan stays the day's. */
function inPeriod(expr: string, p: StatementPeriod): string {
	if (!DATE.test(p.from) || !DATE.test(p.to)) throw new Error(`bad accounting date ${p.from}..${p.to}`);
	return p.from === p.to ? `${expr} = DATE '${p.from}'` : `${expr} BETWEEN DATE '${p.from}' AND DATE '${p.to}'`;
}

/**
 * What each kind of row gives a statement line, as raw values (its table's own columns);
 * `type` and `status` are labelled in each branch, since each kind has its own labels.
 */
const RAW_FIELDS = [
	'orderNo', 'platformNo', 'orderTime', 'createdAt', 'completedAt', 'payerType', 'payerId', 'payerAcct', 'payeeType', 'payeeId', 'payeeAcct',
	'payeeBank', 'payeeName', 'orderInfo', 'memo', 'product', 'method', 'type', 'status', 'amount', 'fee', 'channelNo', 'channelDate'
] as const;
type RawField = (typeof RAW_FIELDS)[number];
/** A branch's row: its SQL for each raw value, and its sort keys. */
type RawRow = Record<RawField, string> & { sortAt: string; sortNo: string; kind: number };
/** A raw value's column in the sorted rows (r_orderno, …). */
const raw = (f: RawField) => `r_${f.toLowerCase()}`;

/**
 * The 26 columns for (merchant, accounting date or period), in statement order: payments
 * completed that day, successful refunds of that day as their own rows (the refund's numbers,
 * its amount, status 已退款), and withdrawals/payouts booked that day. Sorted by accounting
 * day, then completion time, then the platform number, so a rebuild gives the same bytes and a
 * period's rows are its days' statements' rows one day after the other. See RowsFor for `target`.
 *
 * Two levels: the branches give each row's raw values and sort keys, sorted; the cells (times
 * in Asia/Shanghai, 元, labels, neutralising, masking) are formatted above the sort, row by row
 * as COPY sends them. Formatted below it, every cell of the day was computed before the first
 * row left (~350 ms of a day's statement on the 5M-order merchant, while the client waited);
 * now the first row leaves once the raw rows are sorted, and Postgres formats while the client
 * writes the files.
 */
export function statementRowsSql(merchantId: bigint, accountingDate: string | StatementPeriod, target: RowsFor): string {
	const period = periodOf(accountingDate);
	const booked = inPeriod('x.accounting_date', period);
	const m = BigInt(merchantId).toString();
	const branch = (c: RawRow) =>
		RAW_FIELDS.map((f) => `${c[f]} AS ${raw(f)}`)
			.concat([`x.accounting_date AS sort_day`, `${c.sortAt} AS sort_at`, `${c.sortNo} AS sort_no`, `${c.kind} AS sort_kind`])
			.join(',\n    ');

	const money = (expr: string) => (target === 'summary' ? `${expr}::int8` : yuan(expr));
	// Party types, account types and 支付方式 as the list screens label them (the same labels for every kind).
	const party = (e: string) => labelled(e, LABELS.partyType);
	const account = (e: string) => labelled(e, LABELS.accountTypeAll);
	const method = (e: string) => labelled(e, LABELS.payMethod);
	const cells = [
		raw('orderNo'),
		raw('platformNo'),
		firstFlow(raw('platformNo')),
		`(SELECT merchant_no FROM merchants WHERE id = ${m})`,
		time(raw('orderTime')),
		time(raw('createdAt')),
		time(raw('completedAt')),
		day('sort_day'),
		party(raw('payerType')),
		raw('payerId'),
		account(raw('payerAcct')),
		party(raw('payeeType')),
		raw('payeeId'),
		account(raw('payeeAcct')),
		raw('payeeBank'),
		raw('payeeName'),
		raw('orderInfo'),
		raw('memo'),
		raw('product'),
		method(raw('method')),
		raw('type'),
		money(raw('amount')),
		money(raw('fee')),
		raw('status'),
		raw('channelNo'),
		day(raw('channelDate'))
	].map((e, i) => `${cell(i, e, target)} AS c${String(i + 1).padStart(2, '0')}`);

	const payments = `SELECT ${branch({
		orderNo: 'x.merchant_order_no', platformNo: 'x.platform_txn_no',
		orderTime: 'x.merchant_order_time', createdAt: 'x.created_at', completedAt: 'x.completed_at',
		payerType: 'x.payer_type', payerId: 'x.payer_id', payerAcct: 'x.payer_account_type',
		payeeType: 'x.payee_type', payeeId: 'x.payee_id', payeeAcct: 'x.payee_account_type',
		// Card numbers masked as the screens mask them.
		payeeBank: `NULLIF(${maskCardNoSql('x.payee_bank_account')}, '')`, payeeName: 'x.payee_name', orderInfo: 'x.order_info', memo: 'x.memo',
		product: 'x.pay_product', method: 'x.pay_method', type: labelled('x.txn_type', LABELS.paymentType),
		amount: 'x.amount', fee: 'x.fee_amount', status: labelled('x.status', LABELS.paymentStatus),
		channelNo: 'x.channel_txn_no', channelDate: 'x.channel_date',
		sortAt: 'x.completed_at', sortNo: 'x.platform_txn_no', kind: 1
	})}
  FROM payments x
  WHERE x.merchant_id = ${m} AND ${booked} AND x.status = 'TRADE_SUCCESS'`;

	// A refund pays back the other way: the original payee pays, the original payer receives.
	const refunds = `SELECT ${branch({
		orderNo: 'x.refund_no', platformNo: 'x.platform_txn_no',
		orderTime: 'x.created_at', createdAt: 'x.created_at', completedAt: 'x.processed_at',
		payerType: 'p.payee_type', payerId: 'p.payee_id', payerAcct: 'p.payee_account_type',
		payeeType: 'p.payer_type', payeeId: 'p.payer_id', payeeAcct: 'p.payer_account_type',
		payeeBank: 'NULL::text', payeeName: 'NULL::text', orderInfo: 'x.reason', memo: 'p.merchant_order_no',
		product: 'p.pay_product', method: 'p.pay_method', type: literal(LABELS.refundType),
		amount: 'x.amount', fee: '0::int8', status: literal(LABELS.refundStatus),
		channelNo: 'x.channel_txn_no', channelDate: 'CASE WHEN x.channel_txn_no IS NOT NULL THEN x.accounting_date END',
		sortAt: 'x.processed_at', sortNo: 'x.platform_txn_no', kind: 2
	})}
  FROM refunds x JOIN payments p ON p.id = x.payment_id
  WHERE x.merchant_id = ${m} AND ${booked} AND x.status = 'TRADE_SUCCESS'`;

	const withdrawals = `SELECT ${branch({
		orderNo: 'x.merchant_order_no', platformNo: 'x.platform_txn_no',
		orderTime: 'x.created_at', createdAt: 'x.created_at', completedAt: 'x.completed_at',
		payerType: `CASE WHEN x.user_id IS NULL THEN 'MERCHANT' ELSE 'USER' END`,
		payerId: `COALESCE(u.user_no, (SELECT merchant_no FROM merchants WHERE id = ${m}))`,
		payerAcct: `CASE WHEN x.user_id IS NULL THEN 'MCHOWN' ELSE 'USEROWN' END`,
		payeeType: `'BANKCARD'::text`, payeeId: 'NULL::text', payeeAcct: 'NULL::text',
		payeeBank: maskCardNoSql('x.card_no'), payeeName: 'x.payee_name', orderInfo: 'x.bank_name', memo: 'x.memo',
		product: 'NULL::text', method: 'NULL::text', type: labelled('x.txn_type', LABELS.withdrawalType),
		amount: 'x.amount', fee: 'x.fee_amount', status: labelled('x.status', LABELS.withdrawalStatus),
		channelNo: 'x.channel_txn_no', channelDate: 'CASE WHEN x.channel_txn_no IS NOT NULL THEN x.accounting_date END',
		sortAt: 'COALESCE(x.completed_at, x.created_at)', sortNo: 'x.platform_txn_no', kind: 3
	})}
  FROM withdrawals x LEFT JOIN users u ON u.id = x.user_id
  WHERE x.merchant_id = ${m} AND ${booked}`;

	// The summary also needs which kind each row is (1 payment, 2 refund, 3 withdrawal), and only groups: no sort.
	const out = cells.concat(target === 'summary' ? ['sort_kind'] : []).join(',\n  ');
	// A day's rows all have its date: sorted by it first, every comparison went on to the next
	// key (Postgres's fast path for a leading timestamp unused), and the sort took 100 ms of the
	// statement instead of 10.
	const keys = period.from === period.to ? 'sort_at, sort_no, sort_kind' : 'sort_day, sort_at, sort_no, sort_kind';
	const order = target === 'summary' ? '' : ` ORDER BY ${keys}`;
	// The outer ORDER BY restates the inner one (Postgres sees the rows come sorted and adds no
	// second sort), so the order does not rest on a subquery's order being kept.
	return `SELECT ${out}\nFROM (\n${payments}\nUNION ALL\n${refunds}\nUNION ALL\n${withdrawals}${order}\n) rows${order}`;
}

/**
 * The 汇总 by direction, over the same rows: per kind (1 payment, 2 refund, 3 withdrawal) and
 * 交易类型, the count, the amount and the fee (int8 fen), in a fixed order. Labels come from the
 * same CASE expressions as the rows, so they group identically.
 */
export function statementSummarySql(merchantId: bigint, accountingDate: string | StatementPeriod): string {
	const rows = statementRowsSql(merchantId, accountingDate, 'summary');
	return `SELECT sort_kind AS kind, c21 AS txn_type, count(*)::int8 AS rows, sum(c22)::int8 AS amount, sum(c23)::int8 AS fee
  FROM (${rows}) r GROUP BY sort_kind, c21 ORDER BY sort_kind, c21 COLLATE "C"`;
}

/**
 * The balance reconciliation of the merchant's own accounts (优惠券, 手续费, 自有资金, 担保; both
 * sub-accounts 可用 and 待结算 together) for the day, three ways from fund_flows: the opening
 * balance is the balance after the account's last flow booked before the day, the closing one
 * after its last flow booked on or before it (the ledger keeps each account's balance_after
 * chain in id order), and credits and debits are the sums of the day's flows. Those are looked
 * for among the flows made from RECONCILE_LOOKBACK_DAYS before the day (a late posting) to
 * RECONCILE_LOOKAHEAD_DAYS after it (the settlement of a day runs after midnight, before the
 * close): a flow booked on the day but made outside that span would show as 不平. For a period,
 * the opening is at the start of its first day, the closing at the end of its last, and the
 * credits and debits are those of all its days.
 */
export function reconciliationSql(merchantId: bigint, accountingDate: string | StatementPeriod): string {
	const period = periodOf(accountingDate);
	const booked = inPeriod('f.accounting_date', period);
	const m = BigInt(merchantId).toString();
	const first = `DATE '${period.from}'`;
	const lastDay = `DATE '${period.to}'`;
	const end = `((${lastDay} + 1 + ${RECONCILE_LOOKAHEAD_DAYS})::timestamp AT TIME ZONE 'Asia/Shanghai')`;
	const lookback = `((${first} - ${RECONCILE_LOOKBACK_DAYS})::timestamp AT TIME ZONE 'Asia/Shanghai')`;
	const types = RECONCILED_ACCOUNTS.map((t) => `'${t}'`).join(', ');
	// Opening: after the last flow booked before the first day; closing: after the last one booked on or before the last day.
	const last = (cmp: string) => `COALESCE((SELECT f.balance_after FROM fund_flows f
      WHERE f.account_id = a.id AND f.accounting_date ${cmp}
      ORDER BY f.id DESC LIMIT 1), 0)`;
	return `SELECT t.account_type,
    COALESCE(sum(x.opening), 0)::int8 AS opening,
    COALESCE(sum(x.credits), 0)::int8 AS credits,
    COALESCE(sum(x.debits), 0)::int8 AS debits,
    COALESCE(sum(x.closing), 0)::int8 AS closing
  FROM unnest(ARRAY[${types}]) WITH ORDINALITY AS t(account_type, ord)
  LEFT JOIN LATERAL (
    SELECT ${last(`< ${first}`)} AS opening, ${last(`<= ${lastDay}`)} AS closing, day.credits, day.debits
    FROM accounts a
    -- One pass over the account's flows of the span gives both sums.
    CROSS JOIN LATERAL (
      SELECT COALESCE(sum(f.amount) FILTER (WHERE f.direction = 'CREDIT'), 0) AS credits,
        COALESCE(sum(f.amount) FILTER (WHERE f.direction = 'DEBIT'), 0) AS debits
      FROM fund_flows f
      WHERE f.merchant_id = ${m} AND f.account_id = a.id AND ${booked} AND f.created_at >= ${lookback} AND f.created_at < ${end}
    ) day
    WHERE a.merchant_id = ${m} AND a.user_id IS NULL AND a.account_type = t.account_type
  ) x ON true
  GROUP BY t.account_type, t.ord ORDER BY t.ord`;
}

/** How many days before its accounting date a flow may have been made (a late posting) and still be reconciled. */
export const RECONCILE_LOOKBACK_DAYS = 7;
/** How many days after its accounting date ends a flow may have been made (a day's settlement) and still be reconciled. */
export const RECONCILE_LOOKAHEAD_DAYS = 2;
