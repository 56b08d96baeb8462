// 提现订单查询: the list and the detail.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../../../db/types.ts';
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, type ListPage, type PageSize } from '../../schemas/lists.ts';
import type { WithdrawalDetail, WithdrawalFilter, WithdrawalRow } from '../../schemas/withdrawals.ts';
import { and, runList, type ListSource } from './engine.ts';
import { rangeOrThrow } from './errors.ts';
import { userIdByNo } from './lookups.ts';
import { maskCardNo, maskName, maskPhone } from './mask.ts';

export async function withdrawalSource(db: Kysely<DB>, merchantId: bigint, f: WithdrawalFilter): Promise<ListSource | null> {
	const where: RawBuilder<unknown>[] = [sql`merchant_id = ${merchantId}`];
	const rollup: RawBuilder<unknown>[] = [sql`merchant_id = ${merchantId}`, sql`list = 'withdrawals'`];
	if (f.txnType) {
		where.push(sql`txn_type = ${f.txnType}`);
		rollup.push(sql`txn_type = ${f.txnType}`);
	}
	if (f.status) {
		where.push(sql`status = ${f.status}`);
		rollup.push(sql`status = ${f.status}`);
	}
	let selective = false;
	if (f.merchantOrderNo) {
		where.push(sql`merchant_order_no = ${f.merchantOrderNo}`);
		selective = true;
	}
	if (f.cardNo) {
		where.push(sql`card_no = ${f.cardNo}`);
		selective = true;
	}
	if (f.userNo) {
		const userId = await userIdByNo(db, merchantId, f.userNo);
		if (userId === null) return null;
		where.push(sql`user_id = ${userId}`);
		selective = true;
	}
	if (f.userPhone) {
		const ids = (
			await db.selectFrom('users').select('id').where('merchant_id', '=', merchantId).where('phone', '=', f.userPhone).execute()
		).map((u) => u.id);
		if (ids.length === 0) return null;
		where.push(sql`user_id IN (${sql.join(ids)})`);
		selective = true;
	}
	return {
		table: 'withdrawals',
		timeColumn: 'created_at',
		where: and(where),
		amountColumn: 'amount',
		rollup: selective ? null : { table: 'order', where: and(rollup) }
	};
}

const ROW = sql.raw('id, merchant_order_no, txn_type, amount, status, created_at, memo');
type RawRow = { id: bigint; merchant_order_no: string; txn_type: string; amount: bigint; status: string; created_at: Date; memo: string | null };

export async function listWithdrawals(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: WithdrawalFilter; page: number; pageSize: PageSize }
): Promise<ListPage<WithdrawalRow>> {
	const range = rangeOrThrow(input.filter.from, input.filter.to, { defaultDays: DEFAULT_RANGE_DAYS, maxDays: MAX_RANGE_DAYS });
	const src = await withdrawalSource(db, merchantId, input.filter);
	const { page, pageSize } = input;
	if (!src) return { rows: [], total: { count: 0n, amount: 0n }, page, pageSize };
	const r = await runList<RawRow>(db, src, range, page, pageSize, ROW);
	return {
		rows: r.rows.map((x) => ({
			id: x.id,
			merchantOrderNo: x.merchant_order_no,
			txnType: x.txn_type,
			amount: x.amount,
			status: x.status,
			createdAt: x.created_at,
			memo: x.memo
		})),
		total: { count: r.count, amount: r.amount },
		page,
		pageSize
	};
}

export async function getWithdrawal(db: Kysely<DB>, merchantId: bigint, id: bigint): Promise<WithdrawalDetail | null> {
	const w = await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst();
	if (!w) return null;
	const [user, flows] = await Promise.all([
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
