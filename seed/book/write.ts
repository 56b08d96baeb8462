// Stores a book set-based: real ids are drawn from each table's identity sequence in one
// query (ascending, so every account's flows keep the order their balance_after chain needs),
// then each table is written with INSERT … SELECT FROM unnest(column arrays), a few
// statements in all instead of several round trips per posting.
import { sql, type Transaction } from 'kysely';
import type { DB } from '#db/types.ts';
import type { BookState } from './state.ts';

export interface StoredCounts {
	payments: number;
	refunds: number;
	withdrawals: number;
	postings: number;
	flows: number;
}

type Cell = string | null;
type Column = [name: string, pgType: string, cell: (i: number) => Cell];

const CHUNK = 20_000;
const text = (v: string | null): Cell => v;
const int8 = (v: bigint | null): Cell => (v === null ? null : v.toString());
const time = (v: Date | string | null): Cell => (v === null ? null : new Date(v).toISOString());

async function allocateIds(trx: Transaction<DB>, table: string, n: number): Promise<bigint[]> {
	if (n === 0) return [];
	const r = await sql<{ id: bigint }>`SELECT nextval(pg_get_serial_sequence(${table}, 'id')) AS id FROM generate_series(1, ${n})`.execute(trx);
	return r.rows.map((x) => BigInt(x.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function insertColumns(trx: Transaction<DB>, table: string, rows: number, columns: Column[]): Promise<void> {
	for (let start = 0; start < rows; start += CHUNK) {
		const end = Math.min(rows, start + CHUNK);
		const arrays = columns.map(([, type, cell]) => {
			const values: Cell[] = [];
			for (let i = start; i < end; i++) values.push(cell(i));
			return sql`${values}::${sql.raw(type)}[]`;
		});
		await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map(([name]) => sql.ref(name)))}) OVERRIDING SYSTEM VALUE
			SELECT * FROM unnest(${sql.join(arrays)})`.execute(trx);
	}
}

export async function storeBook(trx: Transaction<DB>, book: BookState): Promise<StoredCounts> {
	const payments = book.payments.all;
	const refunds = book.refunds.all;
	const withdrawals = book.withdrawals.all;
	const postings = book.postings.all;
	const flows = book.flows;
	const paymentIds = await allocateIds(trx, 'payments', payments.length);
	const refundIds = await allocateIds(trx, 'refunds', refunds.length);
	const withdrawalIds = await allocateIds(trx, 'withdrawals', withdrawals.length);
	const postingIds = await allocateIds(trx, 'postings', postings.length);
	const flowIds = await allocateIds(trx, 'fund_flows', flows.length);
	const real = (ids: bigint[]) => (local: bigint | null) => (local === null ? null : ids[Number(local) - 1]);
	const payment = real(paymentIds);
	const orderId = { PAYMENT: payment, REFUND: real(refundIds), WITHDRAWAL: real(withdrawalIds), SETTLEMENT: () => null };
	const mid = int8(book.merchantId);

	await insertColumns(trx, 'payments', payments.length, [
		['id', 'int8', (i) => int8(paymentIds[i])],
		['merchant_id', 'int8', () => mid],
		['platform_txn_no', 'text', (i) => payments[i].platform_txn_no],
		['merchant_order_no', 'text', (i) => payments[i].merchant_order_no],
		['txn_type', 'text', (i) => payments[i].txn_type],
		['status', 'text', (i) => payments[i].status],
		['amount', 'int8', (i) => int8(payments[i].amount)],
		['coupon_amount', 'int8', (i) => int8(payments[i].coupon_amount)],
		['fee_amount', 'int8', (i) => int8(payments[i].fee_amount)],
		['refunded_amount', 'int8', (i) => int8(payments[i].refunded_amount)],
		['confirmed_amount', 'int8', (i) => int8(payments[i].confirmed_amount)],
		['pay_method', 'text', (i) => payments[i].pay_method],
		['pay_product', 'text', (i) => payments[i].pay_product],
		['user_id', 'int8', (i) => int8(payments[i].user_id)],
		['payer_type', 'text', (i) => payments[i].payer_type],
		['payer_id', 'text', (i) => payments[i].payer_id],
		['payer_account_type', 'text', (i) => payments[i].payer_account_type],
		['payee_type', 'text', (i) => payments[i].payee_type],
		['payee_id', 'text', (i) => payments[i].payee_id],
		['payee_account_type', 'text', (i) => payments[i].payee_account_type],
		['payee_bank_account', 'text', (i) => payments[i].payee_bank_account],
		['payee_name', 'text', (i) => payments[i].payee_name],
		['original_payment_id', 'int8', (i) => int8(payment(payments[i].original_payment_id))],
		['order_info', 'text', (i) => payments[i].order_info],
		['memo', 'text', (i) => payments[i].memo],
		['merchant_order_time', 'timestamptz', (i) => time(payments[i].merchant_order_time)],
		['created_at', 'timestamptz', (i) => time(payments[i].created_at)],
		['completed_at', 'timestamptz', (i) => time(payments[i].completed_at)],
		['accounting_date', 'date', (i) => text(payments[i].accounting_date)],
		['channel_txn_no', 'text', (i) => payments[i].channel_txn_no],
		['channel_date', 'date', (i) => text(payments[i].channel_date)]
	]);
	await insertColumns(trx, 'refunds', refunds.length, [
		['id', 'int8', (i) => int8(refundIds[i])],
		['merchant_id', 'int8', () => mid],
		['payment_id', 'int8', (i) => int8(payment(refunds[i].payment_id))],
		['platform_txn_no', 'text', (i) => refunds[i].platform_txn_no],
		['refund_no', 'text', (i) => refunds[i].refund_no],
		['amount', 'int8', (i) => int8(refunds[i].amount)],
		['status', 'text', (i) => refunds[i].status],
		['reason', 'text', (i) => refunds[i].reason],
		['created_at', 'timestamptz', (i) => time(refunds[i].created_at)],
		['processed_at', 'timestamptz', (i) => time(refunds[i].processed_at)],
		['accounting_date', 'date', (i) => text(refunds[i].accounting_date)],
		['channel_txn_no', 'text', (i) => refunds[i].channel_txn_no]
	]);
	await insertColumns(trx, 'withdrawals', withdrawals.length, [
		['id', 'int8', (i) => int8(withdrawalIds[i])],
		['merchant_id', 'int8', () => mid],
		['platform_txn_no', 'text', (i) => withdrawals[i].platform_txn_no],
		['merchant_order_no', 'text', (i) => withdrawals[i].merchant_order_no],
		['txn_type', 'text', (i) => withdrawals[i].txn_type],
		['status', 'text', (i) => withdrawals[i].status],
		['amount', 'int8', (i) => int8(withdrawals[i].amount)],
		['fee_amount', 'int8', (i) => int8(withdrawals[i].fee_amount)],
		['user_id', 'int8', (i) => int8(withdrawals[i].user_id)],
		['card_no', 'text', (i) => withdrawals[i].card_no],
		['bank_name', 'text', (i) => withdrawals[i].bank_name],
		['payee_name', 'text', (i) => withdrawals[i].payee_name],
		['memo', 'text', (i) => withdrawals[i].memo],
		['created_at', 'timestamptz', (i) => time(withdrawals[i].created_at)],
		['completed_at', 'timestamptz', (i) => time(withdrawals[i].completed_at)],
		['accounting_date', 'date', (i) => text(withdrawals[i].accounting_date)],
		['channel_txn_no', 'text', (i) => withdrawals[i].channel_txn_no]
	]);
	await insertColumns(trx, 'postings', postings.length, [
		['id', 'int8', (i) => int8(postingIds[i])],
		['merchant_id', 'int8', () => mid],
		['posting_key', 'text', (i) => postings[i].posting_key],
		['kind', 'text', (i) => postings[i].kind],
		['created_at', 'timestamptz', (i) => time(postings[i].created_at)]
	]);
	const posting = real(postingIds);
	await insertColumns(trx, 'fund_flows', flows.length, [
		['id', 'int8', (i) => int8(flowIds[i])],
		['merchant_id', 'int8', () => mid],
		['posting_id', 'int8', (i) => int8(posting(flows[i].posting_id))],
		['flow_no', 'text', (i) => flows[i].flow_no],
		['account_id', 'int8', (i) => int8(flows[i].account_id)],
		['account_type', 'text', (i) => flows[i].account_type],
		['sub_type', 'text', (i) => flows[i].sub_type],
		['user_id', 'int8', (i) => int8(flows[i].user_id)],
		['txn_type', 'text', (i) => flows[i].txn_type],
		['direction', 'text', (i) => flows[i].direction],
		['amount', 'int8', (i) => int8(flows[i].amount)],
		['balance_after', 'int8', (i) => int8(flows[i].balance_after)],
		['accounting_date', 'date', (i) => text(flows[i].accounting_date)],
		['order_kind', 'text', (i) => flows[i].order_kind],
		['order_id', 'int8', (i) => int8(orderId[flows[i].order_kind](flows[i].order_id))],
		['order_no', 'text', (i) => flows[i].order_no],
		['merchant_order_no', 'text', (i) => flows[i].merchant_order_no],
		['pay_method', 'text', (i) => flows[i].pay_method],
		['counter_account_no', 'text', (i) => flows[i].counter_account_no],
		['memo', 'text', (i) => flows[i].memo],
		['created_at', 'timestamptz', (i) => time(flows[i].created_at)]
	]);
	const touched = [...book.accounts.values()].filter((a) => a.updatedAt !== null);
	if (touched.length)
		await sql`UPDATE accounts a SET balance = v.balance, updated_at = v.at
			FROM unnest(${touched.map((a) => a.id.toString())}::int8[], ${touched.map((a) => a.balance.toString())}::int8[],
				${touched.map((a) => a.updatedAt!.toISOString())}::timestamptz[]) AS v(id, balance, at)
			WHERE a.id = v.id`.execute(trx);
	return { payments: payments.length, refunds: refunds.length, withdrawals: withdrawals.length, postings: postings.length, flows: flows.length };
}
