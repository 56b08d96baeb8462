// 支付订单查询: the list and the detail.
import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import type { ListPage, PageSize } from '#shared/schemas/lists.ts';
import type { PaymentDetail, PaymentFilter, PaymentLink, PaymentRow } from '#shared/schemas/payments.ts';
import { orderConditions } from './conditions.ts';
import type { ListSource } from './engine.ts';
import { maskCardNo, maskName } from '../mask.ts';
import { executePrepared } from '../prepared.ts';
import { flowsWithAccounts } from './flows.ts';
import { orderPage } from './ranged.ts';

/** What the filter selects, as the engine (and the export job) reads it; null when nothing can match. */
export async function paymentSource(db: Kysely<DB>, merchantId: bigint, f: PaymentFilter): Promise<ListSource | null> {
	const c = orderConditions(merchantId, 'payments');
	c.keyed('txn_type', f.txnType);
	c.keyed('status', f.status);
	c.exact('merchant_order_no', f.merchantOrderNo);
	if (!(await c.ofUserNo(db, f.userNo))) return null;
	return c.source();
}

export function listPayments(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: PaymentFilter; page: number; pageSize: PageSize }
): Promise<ListPage<PaymentRow>> {
	return orderPage(db, merchantId, input, paymentSource);
}

function link(p: { id: bigint; merchant_order_no: string; platform_txn_no: string; txn_type: string; amount: bigint; status: string; created_at: Date }): PaymentLink {
	return {
		id: p.id,
		merchantOrderNo: p.merchant_order_no,
		platformTxnNo: p.platform_txn_no,
		txnType: p.txn_type,
		amount: p.amount,
		status: p.status,
		createdAt: p.created_at
	};
}

const LINK_COLUMNS = ['id', 'merchant_order_no', 'platform_txn_no', 'txn_type', 'amount', 'status', 'created_at'] as const;

/** The payment detail; null when it is missing or another merchant's. */
export async function getPayment(db: Kysely<DB>, merchantId: bigint, id: bigint): Promise<PaymentDetail | null> {
	// Prepared statements (see prepared.ts): a detail is opened as often as a list's page.
	const [p] = await executePrepared(db, db.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id));
	if (!p) return null;
	const [user, flows, refunds, confirmations, original] = await Promise.all([
		p.user_id === null
			? null
			: executePrepared(db, db.selectFrom('users').select(['user_no', 'name']).where('merchant_id', '=', merchantId).where('id', '=', p.user_id)).then((r) => r[0]),
		executePrepared(
			db,
			flowsWithAccounts(db)
				.select([
					'f.id',
					'f.flow_no',
					'a.account_no',
					'f.account_type',
					'f.sub_type',
					'u.name as user_name',
					'f.direction',
					'f.amount',
					'f.balance_after',
					'f.created_at',
					'f.txn_type',
					'f.memo'
				])
				.where('f.merchant_id', '=', merchantId)
				.where('f.order_kind', '=', 'PAYMENT')
				.where('f.order_id', '=', p.id)
				.orderBy('f.id')
		),
		executePrepared(
			db,
			db
				.selectFrom('refunds')
				.select(['id', 'refund_no', 'amount', 'status', 'created_at', 'processed_at'])
				.where('merchant_id', '=', merchantId)
				.where('payment_id', '=', p.id)
				.orderBy('created_at', 'desc')
				.orderBy('id', 'desc')
		),
		p.txn_type === 'SECURED_CONSUME'
			? executePrepared(
					db,
					db
						.selectFrom('payments')
						.select(LINK_COLUMNS)
						.where('merchant_id', '=', merchantId)
						.where('original_payment_id', '=', p.id)
						.orderBy('created_at', 'desc')
						.orderBy('id', 'desc')
				)
			: [],
		p.original_payment_id === null
			? null
			: executePrepared(db, db.selectFrom('payments').select(LINK_COLUMNS).where('merchant_id', '=', merchantId).where('id', '=', p.original_payment_id)).then((r) => r[0])
	]);
	const secured =
		p.txn_type === 'SECURED_CONSUME' || p.txn_type === 'SECURED_CONFIRM'
			? { confirmedAmount: p.confirmed_amount, confirmations: confirmations.map(link), original: original ? link(original) : null }
			: null;
	return {
		id: p.id,
		platformTxnNo: p.platform_txn_no,
		txnType: p.txn_type,
		status: p.status,
		amount: p.amount,
		feeAmount: p.fee_amount,
		couponAmount: p.coupon_amount,
		refundedAmount: p.refunded_amount,
		createdAt: p.created_at,
		completedAt: p.completed_at,
		accountingDate: p.accounting_date,
		payMethod: p.pay_method,
		payProduct: p.pay_product,
		channelTxnNo: p.channel_txn_no,
		channelDate: p.channel_date,
		merchantOrderNo: p.merchant_order_no,
		merchantOrderTime: p.merchant_order_time,
		orderInfo: p.order_info,
		memo: p.memo,
		payer: {
			type: p.payer_type,
			id: p.payer_id,
			accountType: p.payer_account_type,
			userNo: p.payer_type === 'USER' ? (user?.user_no ?? null) : null,
			userName: p.payer_type === 'USER' && user ? maskName(user.name) : null
		},
		payee: {
			type: p.payee_type,
			id: p.payee_id,
			accountType: p.payee_account_type,
			bankAccount: p.payee_bank_account ? maskCardNo(p.payee_bank_account) : null,
			name: p.payee_name === null ? null : p.payee_type === 'MERCHANT' ? p.payee_name : maskName(p.payee_name)
		},
		flows: flows.map((f) => ({
			id: f.id,
			flowNo: f.flow_no,
			accountNo: f.account_no,
			accountType: f.account_type,
			subType: f.sub_type,
			userName: f.user_name === null ? null : maskName(f.user_name),
			direction: f.direction,
			amount: f.amount,
			balanceAfter: f.balance_after,
			createdAt: f.created_at,
			txnType: f.txn_type,
			memo: f.memo
		})),
		secured,
		refunds: refunds.map((r) => ({
			id: r.id,
			refundNo: r.refund_no,
			amount: r.amount,
			status: r.status,
			createdAt: r.created_at,
			processedAt: r.processed_at
		}))
	};
}
