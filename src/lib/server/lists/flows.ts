// 资金流水查询 (merchant accounts or one user's) and a platform account's 资金明细.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '#db/types.ts';
import { MERCHANT_ACCOUNT_TYPES } from '#shared/schemas/accounts.ts';
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, type ListPage, type PageSize } from '#shared/schemas/lists.ts';
import { postingMode, type FlowDetail, type FlowFilter, type FlowRow } from '#shared/schemas/flows.ts';
import { ListConditions } from './conditions.ts';
import { runList, type ListSource } from './engine.ts';
import { rangeOrThrow } from './errors.ts';
import { userIdByNo } from './lookups.ts';

const OWN_TYPES = [...MERCHANT_ACCOUNT_TYPES] as string[];

/**
 * Flows of the merchant's four accounts (userNo empty) or of one user's own account. The row
 * filter uses the flow's own copies of account type / user (what the partial indexes are on);
 * the rollup filter the matching account ids.
 */
export async function flowSource(db: Kysely<DB>, merchantId: bigint, f: FlowFilter): Promise<ListSource | null> {
	const where: RawBuilder<unknown>[] = [];
	let accounts = db.selectFrom('accounts').select('id').where('merchant_id', '=', merchantId);
	if (f.userNo) {
		if (f.accountType && f.accountType !== 'USEROWN') return null;
		const userId = await userIdByNo(db, merchantId, f.userNo);
		if (userId === null) return null;
		where.push(sql`user_id = ${userId}`);
		accounts = accounts.where('user_id', '=', userId);
	} else {
		if (f.accountType === 'USEROWN') return null;
		where.push(sql`user_id IS NULL AND account_type <> 'CLEARING'`);
		accounts = accounts.where('user_id', 'is', null).where('account_type', 'in', OWN_TYPES as never[]);
		if (f.accountType) where.push(sql`account_type = ${f.accountType}`);
		else where.push(sql`account_type IN (${sql.join(OWN_TYPES)})`);
	}
	if (f.accountType) accounts = accounts.where('account_type', '=', f.accountType);
	if (f.subType) {
		where.push(sql`sub_type = ${f.subType}`);
		accounts = accounts.where('sub_type', '=', f.subType);
	}
	// The accounts as a subquery of the rollup's condition, not a query of their own: one round
	// trip less per list request. No account matching means no flow either, so nothing matches.
	const c = new ListConditions(merchantId, 'fund_flows', 'flow', { rows: where, rollup: sql`account_id IN ${accounts}` });
	c.keyed('txn_type', f.txnType);
	c.keyed('direction', f.direction);
	return { ...c.source(), directionColumn: 'direction' };
}

const ROW = sql.raw('id, flow_no, account_type, sub_type, created_at, txn_type, direction, amount, balance_after');
type RawRow = {
	id: bigint;
	flow_no: string;
	account_type: string;
	sub_type: string;
	created_at: Date;
	txn_type: string;
	direction: 'CREDIT' | 'DEBIT';
	amount: bigint;
	balance_after: bigint;
};

export async function listFlows(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: FlowFilter; page: number; pageSize: PageSize }
): Promise<ListPage<FlowRow>> {
	const range = rangeOrThrow(input.filter.from, input.filter.to, { defaultDays: DEFAULT_RANGE_DAYS, maxDays: MAX_RANGE_DAYS });
	const src = await flowSource(db, merchantId, input.filter);
	const { page, pageSize } = input;
	if (!src) return { rows: [], total: { count: 0n, amount: 0n, credit: 0n, debit: 0n }, page, pageSize };
	const r = await runList<RawRow>(db, src, range, page, pageSize, ROW);
	return {
		rows: r.rows.map((x) => ({
			id: x.id,
			flowNo: x.flow_no,
			accountType: x.account_type,
			subType: x.sub_type,
			createdAt: x.created_at,
			txnType: x.txn_type,
			direction: x.direction,
			amount: x.amount,
			balanceAfter: x.balance_after
		})),
		total: { count: r.count, amount: r.amount, credit: r.credit, debit: r.debit },
		page,
		pageSize
	};
}

/** Fund flows (f) with their account (a) and end user, if any (u): what a flow's detail shows. */
export function flowsWithAccounts(db: Kysely<DB>) {
	return db.selectFrom('fund_flows as f').innerJoin('accounts as a', 'a.id', 'f.account_id').leftJoin('users as u', 'u.id', 'f.user_id');
}

/** 资金流水信息; `ownOnly` limits it to the merchant's four accounts (the 平台账户 screens). */
export async function getFlow(db: Kysely<DB>, merchantId: bigint, id: bigint, opts: { ownOnly?: boolean } = {}): Promise<FlowDetail | null> {
	let q = flowsWithAccounts(db)
		.select([
			'f.id',
			'f.flow_no',
			'f.account_type',
			'f.sub_type',
			'f.created_at',
			'f.txn_type',
			'f.direction',
			'f.amount',
			'f.balance_after',
			'a.account_no',
			'a.currency',
			'f.accounting_date',
			'f.order_kind',
			'f.order_id',
			'f.order_no',
			'f.merchant_order_no',
			'f.pay_method',
			'f.counter_account_no',
			'f.memo',
			'u.user_no'
		])
		.where('f.merchant_id', '=', merchantId)
		.where('f.id', '=', id)
		.where('f.account_type', '<>', 'CLEARING');
	if (opts.ownOnly) q = q.where('f.user_id', 'is', null).where('f.account_type', 'in', OWN_TYPES as never[]);
	const f = await q.executeTakeFirst();
	if (!f) return null;
	const order = await orderOf(db, merchantId, f.order_kind, f.order_id);
	return {
		id: f.id,
		flowNo: f.flow_no,
		accountType: f.account_type,
		subType: f.sub_type,
		createdAt: f.created_at,
		txnType: f.txn_type,
		direction: f.direction,
		amount: f.amount,
		balanceAfter: f.balance_after,
		accountNo: f.account_no,
		currency: f.currency,
		accountingDate: f.accounting_date,
		postingMode: postingMode({ txnType: f.txn_type, subType: f.sub_type, direction: f.direction }),
		orderKind: f.order_kind,
		orderStatus: order?.status ?? null,
		orderNo: f.order_no,
		orderCreatedAt: order?.created_at ?? null,
		orderDirection: f.direction,
		orderTxnType: order?.txn_type ?? null,
		// A settlement has no order: it starts and ends with its posting.
		startedAt: f.order_kind === 'SETTLEMENT' ? f.created_at : (order?.created_at ?? null),
		finishedAt: f.order_kind === 'SETTLEMENT' ? f.created_at : (order?.finished_at ?? null),
		merchantOrderNo: f.merchant_order_no,
		businessType: f.txn_type,
		payMethod: f.pay_method,
		counterAccountNo: f.counter_account_no,
		memo: f.memo,
		orderLink: order && f.order_kind !== 'SETTLEMENT' ? { kind: f.order_kind as 'PAYMENT' | 'REFUND' | 'WITHDRAWAL', id: order.id } : null,
		userNo: f.user_no
	};
}

async function orderOf(db: Kysely<DB>, merchantId: bigint, kind: string, orderId: bigint | null) {
	if (orderId === null) return null;
	if (kind === 'PAYMENT')
		return (
			(await db
				.selectFrom('payments')
				.select(['id', 'status', 'created_at', 'completed_at as finished_at', 'txn_type'])
				.where('merchant_id', '=', merchantId)
				.where('id', '=', orderId)
				.executeTakeFirst()) ??
			null
		);
	if (kind === 'REFUND') {
		const r = await db
			.selectFrom('refunds')
			.select(['id', 'status', 'created_at', 'processed_at as finished_at'])
			.where('merchant_id', '=', merchantId)
			.where('id', '=', orderId)
			.executeTakeFirst();
		return r ? { ...r, txn_type: 'REFUND' } : null;
	}
	if (kind === 'WITHDRAWAL')
		return (
			(await db
				.selectFrom('withdrawals')
				.select(['id', 'status', 'created_at', 'completed_at as finished_at', 'txn_type'])
				.where('merchant_id', '=', merchantId)
				.where('id', '=', orderId)
				.executeTakeFirst()) ??
			null
		);
	return null;
}
