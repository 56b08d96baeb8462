import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccountType, DB, SubType } from '#db/types.ts';
import { LedgerError } from './errors.ts';
import { inTransaction } from './tx.ts';
import type { AccountRef } from './types.ts';

const MERCHANT_ACCOUNT_TYPES = ['MCHOWN', 'MCHASSURE', 'MCHCOUPON', 'MCHFEE'] as const;
const SUB_TYPES = ['PSETTLE', 'AVAILABLE'] as const;
const SUB_CODE: Record<SubType, string> = { PSETTLE: 'P', AVAILABLE: 'A' };

/** Readable, unique account numbers: '<merchantNo>-MCHOWN-A', '<merchantNo>-USEROWN-<userNo>-P'. */
export function accountNo(merchantNo: string, type: AccountType, sub: SubType, userNo?: string | null): string {
	return type === 'USEROWN'
		? `${merchantNo}-USEROWN-${userNo}-${SUB_CODE[sub]}`
		: `${merchantNo}-${type}-${SUB_CODE[sub]}`;
}

export function refKey(r: AccountRef): string {
	return `${r.type}:${r.sub}:${r.userId ?? ''}`;
}

export const ref = {
	clearing: (): AccountRef => ({ type: 'CLEARING', sub: 'AVAILABLE', userId: null }),
	merchant: (type: (typeof MERCHANT_ACCOUNT_TYPES)[number], sub: SubType): AccountRef => ({ type, sub, userId: null }),
	user: (userId: bigint, sub: SubType): AccountRef => ({ type: 'USEROWN', sub, userId })
};

export interface LockedAccount {
	id: bigint;
	userId: bigint | null;
	type: AccountType;
	sub: SubType;
	accountNo: string;
	balance: bigint;
}

async function openMerchantAccountsIn(trx: Transaction<DB>, merchantId: bigint): Promise<number> {
	const merchant = await trx.selectFrom('merchants').select('id').where('id', '=', merchantId).executeTakeFirst();
	if (!merchant) throw new LedgerError('ledger.unknownMerchant', String(merchantId));
	const kinds = [
		...MERCHANT_ACCOUNT_TYPES.flatMap((t) => SUB_TYPES.map((s) => [t, s] as const)),
		['CLEARING', 'AVAILABLE'] as const
	];
	const values = sql.join(kinds.map(([t, s]) => sql`(${t}, ${s}, ${SUB_CODE[s]})`));
	const r = await sql`
		INSERT INTO accounts (merchant_id, user_id, account_no, account_type, sub_type)
		SELECT m.id, NULL, m.merchant_no || '-' || k.t || '-' || k.c, k.t, k.s
		FROM merchants m CROSS JOIN (VALUES ${values}) AS k(t, s, c)
		WHERE m.id = ${merchantId}
		ON CONFLICT DO NOTHING`.execute(trx);
	return Number(r.numAffectedRows ?? 0n);
}

async function openUserAccountIn(trx: Transaction<DB>, merchantId: bigint, userId: bigint): Promise<number> {
	const user = await trx
		.selectFrom('users')
		.select('id')
		.where('id', '=', userId)
		.where('merchant_id', '=', merchantId)
		.executeTakeFirst();
	if (!user) throw new LedgerError('ledger.unknownUser', String(userId));
	const values = sql.join(SUB_TYPES.map((s) => sql`(${s}, ${SUB_CODE[s]})`));
	const r = await sql`
		INSERT INTO accounts (merchant_id, user_id, account_no, account_type, sub_type)
		SELECT u.merchant_id, u.id, m.merchant_no || '-USEROWN-' || u.user_no || '-' || k.c, 'USEROWN', k.s
		FROM users u JOIN merchants m ON m.id = u.merchant_id CROSS JOIN (VALUES ${values}) AS k(s, c)
		WHERE u.id = ${userId} AND u.merchant_id = ${merchantId}
		ON CONFLICT DO NOTHING`.execute(trx);
	return Number(r.numAffectedRows ?? 0n);
}

/** Opens the merchant's 4 accounts × (PSETTLE, AVAILABLE) and its CLEARING account. Idempotent; returns how many were new. */
export async function openMerchantAccounts(db: Kysely<DB>, merchantId: bigint): Promise<number> {
	return inTransaction(db, (trx) => openMerchantAccountsIn(trx, merchantId));
}

/** Opens a user's USEROWN PSETTLE + AVAILABLE accounts. Idempotent; returns how many were new. */
export async function openUserAccount(db: Kysely<DB>, merchantId: bigint, userId: bigint): Promise<number> {
	return inTransaction(db, (trx) => openUserAccountIn(trx, merchantId, userId));
}

function selectForUpdate(trx: Transaction<DB>, merchantId: bigint, refs: AccountRef[]) {
	// One OR arm per account, each an exact match on the unique index, so the lookup stays
	// cheap for a merchant with millions of user accounts.
	const arms = sql.join(
		refs.map((r) =>
			r.userId === null
				? sql`(user_id IS NULL AND account_type = ${r.type} AND sub_type = ${r.sub})`
				: sql`(user_id = ${r.userId} AND account_type = ${r.type} AND sub_type = ${r.sub})`
		),
		sql` OR `
	);
	// Locked in id order, the same order in every posting, so concurrent postings never deadlock.
	return sql<{
		id: bigint;
		user_id: bigint | null;
		account_type: AccountType;
		sub_type: SubType;
		account_no: string;
		balance: bigint;
	}>`SELECT id, user_id, account_type, sub_type, account_no, balance FROM accounts
		WHERE merchant_id = ${merchantId} AND (${arms}) ORDER BY id FOR UPDATE`.execute(trx);
}

/**
 * Locks (SELECT … FOR UPDATE, by id) the accounts a posting touches, opening any that are
 * missing, and returns them keyed by refKey().
 */
export async function lockAccounts(
	trx: Transaction<DB>,
	merchantId: bigint,
	refs: AccountRef[]
): Promise<Map<string, LockedAccount>> {
	const unique = [...new Map(refs.map((r) => [refKey(r), r])).values()];
	let rows = (await selectForUpdate(trx, merchantId, unique)).rows;
	if (rows.length < unique.length) {
		const found = new Set(rows.map((a) => refKey({ type: a.account_type, sub: a.sub_type, userId: a.user_id })));
		const missing = unique.filter((r) => !found.has(refKey(r)));
		if (missing.some((r) => r.userId === null)) await openMerchantAccountsIn(trx, merchantId);
		for (const userId of new Set(missing.flatMap((r) => (r.userId === null ? [] : [r.userId]))))
			await openUserAccountIn(trx, merchantId, userId);
		rows = (await selectForUpdate(trx, merchantId, unique)).rows;
		if (rows.length < unique.length) throw new LedgerError('ledger.invalidPosting', 'account missing');
	}
	const map = new Map<string, LockedAccount>();
	for (const a of rows) {
		const acc: LockedAccount = {
			id: a.id,
			userId: a.user_id,
			type: a.account_type,
			sub: a.sub_type,
			accountNo: a.account_no,
			balance: a.balance
		};
		map.set(refKey({ type: acc.type, sub: acc.sub, userId: acc.userId }), acc);
	}
	return map;
}
