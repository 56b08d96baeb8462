// Ledger-test helpers: a merchant with its accounts open, every balance of a merchant, and how
// many rows each kind of record has.
import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { openMerchantAccounts } from '#shared/server/ledger/index.ts';
import { makeMerchant } from '../fixtures/merchant.ts';

/** A merchant with its nine accounts open (the ledger opens them on the first posting otherwise). */
export async function merchantWithAccounts(db: Kysely<DB>) {
	const merchant = await makeMerchant(db, { name: 'Ledger test merchant' });
	await openMerchantAccounts(db, merchant.id);
	return merchant;
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
