// 退款订单查询: the list and the detail.
import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { MAX_RANGE_DAYS, type ListPage, type PageSize } from '#shared/schemas/lists.ts';
import type { RefundDetail, RefundFilter, RefundRow } from '#shared/schemas/refunds.ts';
import { orderConditions } from './conditions.ts';
import type { ListSource } from './engine.ts';
import { rangeOrThrow } from './errors.ts';
import { rangedPage } from './ranged.ts';

export async function refundSource(db: Kysely<DB>, merchantId: bigint, f: RefundFilter): Promise<ListSource | null> {
	const c = orderConditions(merchantId, 'refunds');
	c.keyed('status', f.status);
	c.exact('refund_no', f.refundNo);
	if (f.paymentMerchantOrderNo) {
		const p = await db
			.selectFrom('payments')
			.select('id')
			.where('merchant_id', '=', merchantId)
			.where('merchant_order_no', '=', f.paymentMerchantOrderNo)
			.executeTakeFirst();
		if (!p) return null;
		c.narrow(sql`payment_id = ${p.id}`);
	}
	const processed = rangeOrThrow(f.processedFrom, f.processedTo, { maxDays: MAX_RANGE_DAYS });
	if (processed) c.narrow(sql`processed_at >= ${processed.from} AND processed_at < ${processed.to}`);
	return c.source();
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

export function listRefunds(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: RefundFilter; page: number; pageSize: PageSize }
): Promise<ListPage<RefundRow>> {
	return rangedPage(db, merchantId, input, refundSource, ROW, (x: RawRow) => ({
		id: x.id,
		refundNo: x.refund_no,
		amount: x.amount,
		paymentMerchantOrderNo: x.payment_merchant_order_no,
		paymentId: x.payment_id,
		status: x.status,
		createdAt: x.created_at,
		processedAt: x.processed_at
	}));
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
