// What each ingest kind does once its body is valid and its merchant known. Money only
// moves through the ledger; users and cards are plain rows (plus the user's accounts).
import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import type { IngestInput, IngestKind } from '#shared/schemas/ingest.ts';
import { businessDate } from '#shared/time.ts';
import {
	closePayment,
	completePayment,
	completeRefund,
	openUserAccount,
	postPayment,
	postRefund,
	postWithdrawal,
	runDailySettlement,
	updateWithdrawalStatus
} from '../ledger/index.ts';
import { IngestError } from './errors.ts';

export interface Processed {
	created: boolean;
	id: bigint | string;
}

type Processor<K extends IngestKind> = (db: Kysely<DB>, merchantId: bigint, input: IngestInput<K>, now: Date) => Promise<Processed>;

/** A user number of this merchant → its id. Another merchant's user is simply not found. */
async function userIdOf(db: Kysely<DB>, merchantId: bigint, userNo: string): Promise<bigint> {
	const u = await db
		.selectFrom('users')
		.select('id')
		.where('merchant_id', '=', merchantId)
		.where('user_no', '=', userNo)
		.executeTakeFirst();
	if (!u) throw new IngestError(404, 'USER_NOT_FOUND', 'ledger.unknownUser');
	return u.id;
}

async function optionalUserId(db: Kysely<DB>, merchantId: bigint, userNo: string | null | undefined): Promise<bigint | null> {
	return userNo ? userIdOf(db, merchantId, userNo) : null;
}

const users: Processor<'users'> = (db, merchantId, u, now) =>
	db.transaction().execute(async (trx) => {
		const inserted = await trx
			.insertInto('users')
			.values({
				merchant_id: merchantId,
				user_no: u.user_no,
				user_type: u.user_type,
				status: u.status,
				phone: u.phone,
				name: u.name,
				id_type: u.id_type,
				id_no: u.id_no,
				id_expiry: u.id_expiry ?? null,
				occupation: u.occupation ?? null,
				registered_at: u.registered_at ?? now,
				created_at: now
			})
			.onConflict((oc) => oc.columns(['merchant_id', 'user_no']).doNothing())
			.returning('id')
			.executeTakeFirst();
		let id = inserted?.id;
		if (id === undefined) {
			const existing = await trx
				.selectFrom('users')
				.select(['id', 'user_type', 'id_no'])
				.where('merchant_id', '=', merchantId)
				.where('user_no', '=', u.user_no)
				.executeTakeFirstOrThrow();
			// Same number, different person: a replay must not silently keep the wrong one.
			if (existing.user_type !== u.user_type || existing.id_no !== u.id_no)
				throw new IngestError(409, 'USER_CONFLICT', 'ingest.userConflict');
			id = existing.id;
		}
		await openUserAccount(trx, merchantId, id);
		return { created: inserted !== undefined, id };
	});

const cards: Processor<'cards'> = async (db, merchantId, c, now) => {
	const userId = await userIdOf(db, merchantId, c.user_no);
	const inserted = await db
		.insertInto('bank_cards')
		.values({
			merchant_id: merchantId,
			user_id: userId,
			card_no: c.card_no,
			card_type: c.card_type,
			bank_name: c.bank_name,
			reserved_phone: c.reserved_phone,
			bound_at: c.bound_at ?? now,
			updated_at: c.bound_at ?? now
		})
		.onConflict((oc) => oc.columns(['user_id', 'card_no']).doNothing())
		.returning('id')
		.executeTakeFirst();
	if (inserted) return { created: true, id: inserted.id };
	const existing = await db
		.selectFrom('bank_cards')
		.select('id')
		.where('user_id', '=', userId)
		.where('card_no', '=', c.card_no)
		.executeTakeFirstOrThrow();
	return { created: false, id: existing.id };
};

const payments: Processor<'payments'> = async (db, merchantId, p, now) => {
	const createdAt = p.created_at ?? now;
	const r = await postPayment(db, {
		merchantId,
		platformTxnNo: p.platform_txn_no,
		merchantOrderNo: p.merchant_order_no,
		txnType: p.txn_type,
		status: p.status,
		amount: p.amount,
		couponAmount: p.coupon_amount,
		feeAmount: p.fee_amount,
		payMethod: p.pay_method ?? null,
		payProduct: p.pay_product ?? null,
		userId: await optionalUserId(db, merchantId, p.user_no),
		payeeUserId: await optionalUserId(db, merchantId, p.payee_user_no),
		originalPlatformTxnNo: p.original_platform_txn_no ?? null,
		orderInfo: p.order_info ?? null,
		memo: p.memo ?? null,
		merchantOrderTime: p.merchant_order_time ?? createdAt,
		createdAt,
		channelTxnNo: p.channel_txn_no ?? null
	});
	return { created: r.created, id: r.paymentId };
};

const paymentStatus: Processor<'payment-status'> = async (db, merchantId, s, now) => {
	const at = s.at ?? now;
	const change =
		s.status === 'TRADE_SUCCESS'
			? await completePayment(db, { merchantId, platformTxnNo: s.platform_txn_no, at, channelTxnNo: s.channel_txn_no ?? null })
			: await closePayment(db, { merchantId, platformTxnNo: s.platform_txn_no, at, status: s.status });
	return { created: change.changed, id: s.platform_txn_no };
};

const refunds: Processor<'refunds'> = async (db, merchantId, r, now) => {
	const res = await postRefund(db, {
		merchantId,
		platformTxnNo: r.platform_txn_no,
		refundNo: r.refund_no,
		paymentPlatformTxnNo: r.original_platform_txn_no,
		amount: r.amount,
		status: r.status,
		reason: r.reason ?? null,
		createdAt: r.created_at ?? now,
		channelTxnNo: r.channel_txn_no ?? null
	});
	return { created: res.created, id: res.refundId };
};

const refundStatus: Processor<'refund-status'> = async (db, merchantId, s, now) => {
	const change = await completeRefund(db, {
		merchantId,
		platformTxnNo: s.platform_txn_no,
		at: s.at ?? now,
		status: s.status,
		channelTxnNo: s.channel_txn_no ?? null
	});
	return { created: change.changed, id: s.platform_txn_no };
};

const withdrawals: Processor<'withdrawals'> = async (db, merchantId, w, now) => {
	const userId = await optionalUserId(db, merchantId, w.user_no);
	if (userId !== null && w.txn_type === 'ACCT_CASH_OUT') {
		// A user withdraws only to a card bound to them.
		const card = await db
			.selectFrom('bank_cards')
			.select('id')
			.where('merchant_id', '=', merchantId)
			.where('user_id', '=', userId)
			.where('card_no', '=', w.card_no)
			.where('status', '=', 'BOUND')
			.executeTakeFirst();
		if (!card) throw new IngestError(400, 'CARD_NOT_BOUND', 'ingest.cardNotBound');
	}
	const res = await postWithdrawal(db, {
		merchantId,
		platformTxnNo: w.platform_txn_no,
		merchantOrderNo: w.merchant_order_no,
		txnType: w.txn_type,
		status: w.status,
		amount: w.amount,
		feeAmount: w.fee_amount,
		userId,
		cardNo: w.card_no,
		bankName: w.bank_name ?? null,
		payeeName: w.payee_name ?? null,
		memo: w.memo ?? null,
		createdAt: w.created_at ?? now,
		channelTxnNo: w.channel_txn_no ?? null
	});
	return { created: res.created, id: res.withdrawalId };
};

const withdrawalStatus: Processor<'withdrawal-status'> = async (db, merchantId, s, now) => {
	const change = await updateWithdrawalStatus(db, {
		merchantId,
		platformTxnNo: s.platform_txn_no,
		status: s.status,
		at: s.at ?? now,
		channelTxnNo: s.channel_txn_no ?? null
	});
	return { created: change.changed, id: s.platform_txn_no };
};

const settlements: Processor<'settlements'> = async (db, merchantId, s, now) => {
	// Only a finished business day can be closed; today's postings are still arriving.
	if (s.accounting_date >= businessDate(now)) throw new IngestError(400, 'DAY_NOT_OVER', 'ingest.dayNotOver');
	const r = await runDailySettlement(db, { merchantId, accountingDate: s.accounting_date, at: s.at ?? now });
	return { created: r.created, id: s.accounting_date };
};

/** The kinds about a merchant that exists (opening one is ingest/merchants.ts). */
export type MerchantIngestKind = Exclude<IngestKind, 'merchants'>;

export const PROCESSORS: { [K in MerchantIngestKind]: Processor<K> } = {
	users,
	cards,
	payments,
	'payment-status': paymentStatus,
	refunds,
	'refund-status': refundStatus,
	withdrawals,
	'withdrawal-status': withdrawalStatus,
	settlements
};
