import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';

/** The id of one of the merchant's users by 用户号, or null. */
export async function userIdByNo(db: Kysely<DB>, merchantId: bigint, userNo: string): Promise<bigint | null> {
	const u = await db.selectFrom('users').select('id').where('merchant_id', '=', merchantId).where('user_no', '=', userNo).executeTakeFirst();
	return u?.id ?? null;
}
