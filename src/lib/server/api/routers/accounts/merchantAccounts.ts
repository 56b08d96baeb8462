import type { Db } from '#db';
import { MERCHANT_ACCOUNT_TYPES } from '$lib/schemas/accounts';

/** The merchant's own account rows (both sub-types of the four kinds); never users' or CLEARING. */
export function merchantAccounts(db: Db, merchantId: bigint) {
	return db
		.selectFrom('accounts')
		.select(['id', 'account_type', 'sub_type', 'balance', 'state'])
		.where('merchant_id', '=', merchantId)
		.where('user_id', 'is', null)
		.where('account_type', 'in', [...MERCHANT_ACCOUNT_TYPES])
		.execute();
}
