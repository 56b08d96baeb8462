// 提现订单查询: the list and the detail.
import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import type { ListPage, PageSize } from '#shared/schemas/lists.ts';
import type { WithdrawalDetail, WithdrawalFilter, WithdrawalRow } from '#shared/schemas/withdrawals.ts';
import { orderConditions } from './conditions.ts';
import type { ListSource } from './engine.ts';
import { maskCardNo, maskName, maskPhone } from '../mask.ts';
import { orderPage } from './ranged.ts';

export async function withdrawalSource(db: Kysely<DB>, merchantId: bigint, f: WithdrawalFilter): Promise<ListSource | null> {
	const c = orderConditions(merchantId, 'withdrawals');
	c.keyed('txn_type', f.txnType);
	c.keyed('status', f.status);
	c.exact('merchant_order_no', f.merchantOrderNo);
	c.exact('card_no', f.cardNo);
	if (!(await c.ofUserNo(db, f.userNo))) return null;
	if (f.userPhone) {
		const ids = (
			await db.selectFrom('users').select('id').where('merchant_id', '=', merchantId).where('phone', '=', f.userPhone).execute()
		).map((u) => u.id);
		if (ids.length === 0) return null;
		c.narrow(sql`user_id IN (${sql.join(ids)})`);
	}
	return c.source();
}

export function listWithdrawals(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: WithdrawalFilter; page: number; pageSize: PageSize }
): Promise<ListPage<WithdrawalRow>> {
	return orderPage(db, merchantId, input, withdrawalSource);
}

export async function getWithdrawal(db: Kysely<DB>, merchantId: bigint, id: bigint): Promise<WithdrawalDetail | null> {
	const w = await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst();
	if (!w) return null;
	const [merchant, user, flows] = await Promise.all([
		db.selectFrom('merchants').select('merchant_no').where('id', '=', merchantId).executeTakeFirstOrThrow(),
		w.user_id === null
			? null
			: db.selectFrom('users').select(['id', 'user_no', 'name', 'phone']).where('merchant_id', '=', merchantId).where('id', '=', w.user_id).executeTakeFirst(),
		db
			.selectFrom('fund_flows as f')
			.innerJoin('accounts as a', 'a.id', 'f.account_id')
			.select(['f.id', 'f.flow_no', 'a.account_no', 'f.account_type', 'f.sub_type', 'f.direction', 'f.amount', 'f.balance_after', 'f.created_at'])
			.where('f.merchant_id', '=', merchantId)
			.where('f.order_kind', '=', 'WITHDRAWAL')
			.where('f.order_id', '=', w.id)
			.orderBy('f.id')
			.execute()
	]);
	return {
		id: w.id,
		merchantOrderNo: w.merchant_order_no,
		txnType: w.txn_type,
		amount: w.amount,
		status: w.status,
		createdAt: w.created_at,
		memo: w.memo,
		platformTxnNo: w.platform_txn_no,
		feeAmount: w.fee_amount,
		cardNo: maskCardNo(w.card_no),
		bankName: w.bank_name,
		payeeName: w.payee_name === null ? null : maskName(w.payee_name),
		completedAt: w.completed_at,
		accountingDate: w.accounting_date,
		channelTxnNo: w.channel_txn_no,
		user: user ? { id: user.id, userNo: user.user_no, name: maskName(user.name), phone: maskPhone(user.phone) } : null,
		payer: user ? { type: 'USER', id: user.user_no, accountType: 'USEROWN' } : { type: 'MERCHANT', id: merchant.merchant_no, accountType: 'MCHOWN' },
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
