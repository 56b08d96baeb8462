// Small factories for ledger tests: a fresh merchant (16-digit number) with a few users.
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { openMerchantAccounts, openUserAccount } from '../../src/lib/server/ledger/index.ts';

let seq = 0;

export async function createMerchant(db: Kysely<DB>, name = 'Ledger test merchant'): Promise<{ id: bigint; merchantNo: string }> {
	const merchantNo = `${String(Date.now()).slice(-9)}${String(randomInt(0, 1e7)).padStart(7, '0')}`;
	const m = await db.insertInto('merchants').values({ merchant_no: merchantNo, name }).returning('id').executeTakeFirstOrThrow();
	await openMerchantAccounts(db, m.id);
	return { id: m.id, merchantNo };
}

export async function createUser(db: Kysely<DB>, merchantId: bigint): Promise<bigint> {
	seq += 1;
	const u = await db
		.insertInto('users')
		.values({
			merchant_id: merchantId,
			user_no: `U${merchantId}-${seq}`,
			user_type: 'INNERUSER',
			phone: `177${String(seq).padStart(8, '0')}`,
			name: `用户${seq}`,
			id_type: 'ID_CARD',
			id_no: `61050119900101${String(seq).padStart(4, '0')}`
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await openUserAccount(db, merchantId, u.id);
	return u.id;
}

/** Balances keyed 'TYPE:SUB:userId' (userId empty for merchant-level accounts). */
export async function balances(db: Kysely<DB>, merchantId: bigint): Promise<Map<string, bigint>> {
	const rows = await db
		.selectFrom('accounts')
		.select(['account_type', 'sub_type', 'user_id', 'balance'])
		.where('merchant_id', '=', merchantId)
		.execute();
	return new Map(rows.map((r) => [`${r.account_type}:${r.sub_type}:${r.user_id ?? ''}`, r.balance]));
}

export async function counts(db: Kysely<DB>, merchantId: bigint) {
	const one = async (table: 'payments' | 'refunds' | 'withdrawals' | 'fund_flows' | 'postings') =>
		Number(
			(
				await db
					.selectFrom(table)
					.select((eb) => eb.fn.countAll<bigint>().as('n'))
					.where('merchant_id', '=', merchantId)
					.executeTakeFirstOrThrow()
			).n
		);
	return {
		payments: await one('payments'),
		refunds: await one('refunds'),
		withdrawals: await one('withdrawals'),
		flows: await one('fund_flows'),
		postings: await one('postings')
	};
}

let txn = 0;
/** A fresh platform transaction number, unique in this process. */
export function txnNo(prefix = 'T'): string {
	txn += 1;
	return `${prefix}${process.pid}-${Date.now().toString(36)}-${txn}`;
}
