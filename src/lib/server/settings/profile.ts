// 个人信息: the signed-in person's own profile (phone masked, roles with whether each is enabled).
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import { maskPhone } from '../mask.ts';

export async function ownProfile(db: Kysely<DB>, merchantId: bigint, staffId: bigint) {
	const staff = await db
		.selectFrom('staff as s')
		.innerJoin('merchants as m', 'm.id', 's.merchant_id')
		.select(['s.name', 's.phone', 's.email', 's.is_admin', 's.password_changed_at', 'm.merchant_no', 'm.name as merchant_name'])
		.where('s.id', '=', staffId)
		.where('s.merchant_id', '=', merchantId)
		.executeTakeFirstOrThrow();
	const roles = await db
		.selectFrom('staff_roles as sr')
		.innerJoin('roles as r', (j) => j.onRef('r.id', '=', 'sr.role_id').onRef('r.merchant_id', '=', 'sr.merchant_id'))
		.select(['r.name', 'r.status'])
		.where('sr.staff_id', '=', staffId)
		.where('sr.merchant_id', '=', merchantId)
		.orderBy('r.name')
		.execute();
	return {
		name: staff.name,
		phone: maskPhone(staff.phone),
		email: staff.email,
		isAdmin: staff.is_admin,
		roles: roles.map((r) => ({ name: r.name, enabled: r.status === 'ENABLED' })),
		merchantNo: staff.merchant_no,
		merchantName: staff.merchant_name,
		passwordChangedAt: staff.password_changed_at
	};
}
