// 退款订单查询: the list and the detail.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../../../db/types.ts';
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, type ListPage, type PageSize } from '../../schemas/lists.ts';
import type { RefundDetail, RefundFilter, RefundRow } from '../../schemas/refunds.ts';
import { and, runList, type ListSource } from './engine.ts';
import { rangeOrThrow } from './errors.ts';

export async function refundSource(db: Kysely<DB>, merchantId: bigint, f: RefundFilter): Promise<ListSource | null> {
	const where: RawBuilder<unknown>[] = [sql`merchant_id = ${merchantId}`];
	const rollup: RawBuilder<unknown>[] = [sql`merchant_id = ${merchantId}`, sql`list = 'refunds'`];
	if (f.status) {
		where.push(sql`status = ${f.status}`);
		rollup.push(sql`status = ${f.status}`);
	}
	let selective = false;
	if (f.refundNo) {
		where.push(sql`refund_no = ${f.refundNo}`);
		selective = true;
	}
	if (f.paymentMerchantOrderNo) {
		const p = await db
			.selectFrom('payments')
			.select('id')
			.where('merchant_id', '=', merchantId)
			.where('merchant_order_no', '=', f.paymentMerchantOrderNo)
			.executeTakeFirst();
		if (!p) return null;
		where.push(sql`payment_id = ${p.id}`);
		selective = true;
	}
	const processed = rangeOrThrow(f.processedFrom, f.processedTo, { maxDays: MAX_RANGE_DAYS });
	if (processed) {
		where.push(sql`processed_at >= ${processed.from} AND processed_at < ${processed.to}`);
		selective = true;
	}
	return { table: 'refunds', timeColumn: 'created_at', where: and(where), amountColumn: 'amount', rollup: selective ? null : { table: 'order', where: and(rollup) } };
}

const ROW = sql.raw(
	'id, refund_no, amount, payment_id, status, created_at, processed_at, (SELECT p.merchant_order_no FROM payments p WHERE p.id = refunds.payment_id) AS payment_merchant_order_no'
);
type RawRow = {
	id: bigint;
	refund_no: string;
	amount: bigint;
	payment_id: bigint;
	status: string;
	created_at: Date;
	processed_at: Date | null;
	payment_merchant_order_no: string;
};

export async function listRefunds(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: RefundFilter; page: number; pageSize: PageSize }
): Promise<ListPage<RefundRow>> {
	const range = rangeOrThrow(input.filter.from, input.filter.to, { defaultDays: DEFAULT_RANGE_DAYS, maxDays: MAX_RANGE_DAYS });
	const src = await refundSource(db, merchantId, input.filter);
	const { page, pageSize } = input;
	if (!src) return { rows: [], total: { count: 0n, amount: 0n }, page, pageSize };
	const r = await runList<RawRow>(db, src, range, page, pageSize, ROW);
	return {
		rows: r.rows.map((x) => ({
			id: x.id,
			refundNo: x.refund_no,
			amount: x.amount,
			paymentMerchantOrderNo: x.payment_merchant_order_no,
			paymentId: x.payment_id,
			status: x.status,
			createdAt: x.created_at,
			processedAt: x.processed_at
		})),
		total: { count: r.count, amount: r.amount },
		page,
		pageSize
	};
}

export async function getRefund(db: Kysely<DB>, merchantId: bigint, id: bigint): Promise<RefundDetail | null> {
	const r = await db
		.selectFrom('refunds as r')
		.innerJoin('payments as p', (j) => j.onRef('p.id', '=', 'r.payment_id').onRef('p.merchant_id', '=', 'r.merchant_id'))
		.select([
			'r.id',
			'r.refund_no',
			'r.amount',
			'r.payment_id',
			'r.status',
			'r.created_at',
			'r.processed_at',
			'r.platform_txn_no',
			'r.reason',
			'r.accounting_date',
			'r.channel_txn_no',
			'p.merchant_order_no as p_merchant_order_no',
			'p.platform_txn_no as p_platform_txn_no',
			'p.txn_type as p_txn_type',
			'p.amount as p_amount',
			'p.status as p_status',
			'p.created_at as p_created_at'
		])
		.where('r.merchant_id', '=', merchantId)
		.where('r.id', '=', id)
		.executeTakeFirst();
	if (!r) return null;
	const flows = await db
		.selectFrom('fund_flows as f')
		.innerJoin('accounts as a', 'a.id', 'f.account_id')
		.select(['f.id', 'f.flow_no', 'a.account_no', 'f.account_type', 'f.sub_type', 'f.direction', 'f.amount', 'f.balance_after', 'f.created_at'])
		.where('f.merchant_id', '=', merchantId)
		.where('f.order_kind', '=', 'REFUND')
		.where('f.order_id', '=', r.id)
		.orderBy('f.id')
		.execute();
	return {
		id: r.id,
		refundNo: r.refund_no,
		amount: r.amount,
		paymentMerchantOrderNo: r.p_merchant_order_no,
		paymentId: r.payment_id,
		status: r.status,
		createdAt: r.created_at,
		processedAt: r.processed_at,
		platformTxnNo: r.platform_txn_no,
		reason: r.reason,
		accountingDate: r.accounting_date,
		channelTxnNo: r.channel_txn_no,
		payment: {
			id: r.payment_id,
			merchantOrderNo: r.p_merchant_order_no,
			platformTxnNo: r.p_platform_txn_no,
			txnType: r.p_txn_type,
			amount: r.p_amount,
			status: r.p_status,
			createdAt: r.p_created_at
		},
		flows: flows.map((f) => ({
			id: f.id,
			flowNo: f.flow_no,
			accountNo: f.account_no,
			accountType: f.account_type,
			subType: f.sub_type,
			direction: f.direction,
			amount: f.amount,
			balanceAfter: f.balance_after,
			createdAt: f.created_at
		}))
	};
}
