// Shared by the statement tests: a small seeded demo, a CSV reader, and the independent
// (JS-side) computation of what a statement must contain.
import type { Db } from '../../db/index.ts';
import { seedDemo, DEMO_MERCHANT_NO } from '#seed/demo.ts';
import { formatYuan } from '../../src/lib/money.ts';
import { formatDateTime } from '../../src/lib/time.ts';
import { messages, translate } from '../../src/lib/i18n/messages.ts';
import { maskCardNo } from '../../src/lib/server/mask.ts';

/** Seeds the demo small and picks the day with the most refunds and withdrawals. */
export async function seedSmallDemo(db: Db): Promise<{ merchantId: bigint; merchantNo: string; date: string }> {
	await seedDemo(db, { users: 12, days: 4, ordersPerDay: 40, secondUsers: 3, secondDays: 1, secondOrdersPerDay: 5 });
	const m = await db.selectFrom('merchants').select('id').where('merchant_no', '=', DEMO_MERCHANT_NO).executeTakeFirstOrThrow();
	const day = await db
		.selectFrom('refunds')
		.select(['accounting_date', (eb) => eb.fn.countAll<string>().as('n')])
		.where('merchant_id', '=', m.id)
		.where('status', '=', 'TRADE_SUCCESS')
		.groupBy('accounting_date')
		.orderBy('n', 'desc')
		.orderBy('accounting_date', 'desc')
		.executeTakeFirstOrThrow();
	return { merchantId: m.id, merchantNo: DEMO_MERCHANT_NO, date: day.accounting_date! };
}

/** The first `n` successful payments of the merchant's day, by id: the rows a test rewrites with hostile text. */
export async function paymentsOfDay(db: Db, merchantId: bigint, date: string, n: number): Promise<{ id: bigint }[]> {
	return db
		.selectFrom('payments')
		.select('id')
		.where('merchant_id', '=', merchantId)
		.where('accounting_date', '=', date)
		.where('status', '=', 'TRADE_SUCCESS')
		.orderBy('id')
		.limit(n)
		.execute();
}

export { parseCsv } from '../fixtures/csv.ts';
import { csvId, neutral as safe } from '../fixtures/csv.ts';

const zh = (k: string) => translate('zh-CN', k);
/** A code as the list screens label it (the catalogue), or as it is when it has no label. */
const label = (family: string, code: string | null) => (code === null ? null : `enum.${family}.${code}` in messages ? zh(`enum.${family}.${code}`) : code);
const party = (c: string | null) => label('partyType', c);
const acct = (c: string | null) => label('accountType', c);
const method = (c: string | null) => label('payMethod', c);

/**
 * The identifier columns (商户订单号, ACCP交易单号, ACCP交易流水号, 平台商户号, 付款方ID, 收款方ID,
 * 收款方银行账户, 渠道流水号): in the CSV their long all-digit values carry a leading backtick.
 */
const ID_COLUMNS = new Set([0, 1, 2, 3, 9, 12, 14, 24]);

/** A row as the CSV writes it (cells as the XLSX holds them, plus the backtick on long numeric ids). */
export function csvCells(cells: string[]): string[] {
	// The cells are already neutralised; an all-digit one never starts like a formula.
	return cells.map((c, i) => (ID_COLUMNS.has(i) ? csvId(c) : c));
}

export interface ExpectedRow {
	/** As the XLSX holds them; csvCells gives the CSV's. */
	cells: string[];
	type: string;
	status: string;
	amount: bigint;
	fee: bigint;
}

/** What the statement must hold, computed from the order tables with Kysely and JS formatting. */
export async function expectedStatement(db: Db, merchantId: bigint, date: string): Promise<ExpectedRow[]> {
	const merchant = await db.selectFrom('merchants').select('merchant_no').where('id', '=', merchantId).executeTakeFirstOrThrow();
	const flowNo = async (kind: 'PAYMENT' | 'REFUND' | 'WITHDRAWAL', id: bigint) =>
		(await db.selectFrom('fund_flows').select('flow_no').where('order_kind', '=', kind).where('order_id', '=', id).orderBy('id').executeTakeFirstOrThrow()).flow_no;
	const out: { sortAt: number; sortNo: string; kind: number; row: ExpectedRow }[] = [];
	const mk = (c: (string | null | undefined)[], type: string, status: string, amount: bigint, fee: bigint): ExpectedRow => ({
		cells: c.map((x) => x ?? ''),
		type,
		status,
		amount,
		fee
	});

	const payments = await db.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).where('accounting_date', '=', date).where('status', '=', 'TRADE_SUCCESS').execute();
	for (const p of payments) {
		const type = zh(`enum.txnType.${p.txn_type}`);
		const status = zh(`enum.paymentStatus.${p.status}`);
		out.push({
			sortAt: p.completed_at!.getTime(), sortNo: p.platform_txn_no, kind: 1,
			row: mk([safe(p.merchant_order_no), p.platform_txn_no, await flowNo('PAYMENT', p.id), merchant.merchant_no,
				formatDateTime(p.merchant_order_time), formatDateTime(p.created_at), formatDateTime(p.completed_at), p.accounting_date,
				party(p.payer_type), safe(p.payer_id), acct(p.payer_account_type), party(p.payee_type), safe(p.payee_id), acct(p.payee_account_type),
				safe(maskCardNo(p.payee_bank_account)), safe(p.payee_name), safe(p.order_info), safe(p.memo), safe(p.pay_product), safe(method(p.pay_method)),
				type, formatYuan(p.amount), formatYuan(p.fee_amount), status, safe(p.channel_txn_no), p.channel_date], type, status, p.amount, p.fee_amount)
		});
	}

	const refunds = await db.selectFrom('refunds').selectAll().where('merchant_id', '=', merchantId).where('accounting_date', '=', date).where('status', '=', 'TRADE_SUCCESS').execute();
	for (const r of refunds) {
		const p = await db.selectFrom('payments').selectAll().where('id', '=', r.payment_id).executeTakeFirstOrThrow();
		const type = zh('enum.txnType.REFUND');
		const status = zh('statements.refunded');
		out.push({
			sortAt: r.processed_at!.getTime(), sortNo: r.platform_txn_no, kind: 2,
			row: mk([safe(r.refund_no), r.platform_txn_no, await flowNo('REFUND', r.id), merchant.merchant_no,
				formatDateTime(r.created_at), formatDateTime(r.created_at), formatDateTime(r.processed_at), r.accounting_date,
				party(p.payee_type), safe(p.payee_id), acct(p.payee_account_type), party(p.payer_type), safe(p.payer_id), acct(p.payer_account_type),
				'', '', safe(r.reason), safe(p.merchant_order_no), safe(p.pay_product), safe(method(p.pay_method)),
				type, formatYuan(r.amount), '0.00', status, safe(r.channel_txn_no), r.channel_txn_no ? r.accounting_date : ''], type, status, r.amount, 0n)
		});
	}

	const withdrawals = await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('accounting_date', '=', date).execute();
	for (const w of withdrawals) {
		const user = w.user_id ? await db.selectFrom('users').select('user_no').where('id', '=', w.user_id).executeTakeFirstOrThrow() : null;
		const type = zh(`enum.txnType.${w.txn_type}`);
		const status = zh(`enum.withdrawalStatus.${w.status}`);
		out.push({
			sortAt: (w.completed_at ?? w.created_at).getTime(), sortNo: w.platform_txn_no, kind: 3,
			row: mk([safe(w.merchant_order_no), w.platform_txn_no, await flowNo('WITHDRAWAL', w.id), merchant.merchant_no,
				formatDateTime(w.created_at), formatDateTime(w.created_at), formatDateTime(w.completed_at), w.accounting_date,
				party(user ? 'USER' : 'MERCHANT'), safe(user?.user_no ?? merchant.merchant_no), acct(user ? 'USEROWN' : 'MCHOWN'), party('BANKCARD'), '', '',
				safe(maskCardNo(w.card_no)), safe(w.payee_name), safe(w.bank_name), safe(w.memo), '', '',
				type, formatYuan(w.amount), formatYuan(w.fee_amount), status, safe(w.channel_txn_no), w.channel_txn_no ? w.accounting_date : ''], type, status, w.amount, w.fee_amount)
		});
	}
	// Timestamps are microseconds in Postgres but milliseconds here: the seeded times are whole seconds.
	out.sort((a, b) => a.sortAt - b.sortAt || (a.sortNo < b.sortNo ? -1 : a.sortNo > b.sortNo ? 1 : 0) || a.kind - b.kind);
	return out.map((o) => o.row);
}

/**
 * The 汇总 lines the statement must end with, from the expected rows: money in per 交易类型
 * (byte order), its total, refunds, withdrawals/payouts per 交易类型, fees, and the net
 * (in − refunds − payouts − fees).
 */
export function expectedDirections(rows: ExpectedRow[]): string[][] {
	const kind = (r: ExpectedRow) => (r.status === '已退款' ? 'refund' : r.cells[11] === '银行卡' ? 'payout' : 'in');
	const bytes = (s: string) => Buffer.from(s, 'utf8');
	const byType = (k: string) => {
		const groups = new Map<string, { rows: bigint; amount: bigint }>();
		for (const r of rows.filter((x) => kind(x) === k)) {
			const g = groups.get(r.type) ?? { rows: 0n, amount: 0n };
			g.rows += 1n;
			g.amount += r.amount;
			groups.set(r.type, g);
		}
		return [...groups].sort(([a], [b]) => Buffer.compare(bytes(a), bytes(b)));
	};
	const total = (k: string) => rows.filter((x) => kind(x) === k).reduce((t, r) => t + r.amount, 0n);
	const fees = rows.reduce((t, r) => t + r.fee, 0n);
	return [
		...byType('in').map(([t, g]) => ['收入', t, g.rows.toString(), formatYuan(g.amount)]),
		['收入合计', '', String(rows.filter((x) => kind(x) === 'in').length), formatYuan(total('in'))],
		['退款', '退款', String(rows.filter((x) => kind(x) === 'refund').length), formatYuan(total('refund'))],
		...byType('payout').map(([t, g]) => ['提现/代发', t, g.rows.toString(), formatYuan(g.amount)]),
		['手续费', '', '', formatYuan(fees)],
		['净额', '', '', formatYuan(total('in') - total('refund') - total('payout') - fees)]
	];
}
