import { maskPhone } from '$lib/server/mask';
import { protectedProcedure } from '../../init';

/** 个人信息: the signed-in person only (no input, so nobody else's profile can be named). */
export const profileProcedure = protectedProcedure.meta({ permission: 'settings.profile' }).query(async ({ ctx }) => {
	const staff = await ctx.db
		.selectFrom('staff as s')
		.innerJoin('merchants as m', 'm.id', 's.merchant_id')
		.select(['s.name', 's.phone', 's.email', 's.is_admin', 's.password_changed_at', 'm.merchant_no', 'm.name as merchant_name'])
		.where('s.id', '=', ctx.staffId)
		.where('s.merchant_id', '=', ctx.merchantId)
		.executeTakeFirstOrThrow();
	const roles = await ctx.db
		.selectFrom('staff_roles as sr')
		.innerJoin('roles as r', (j) => j.onRef('r.id', '=', 'sr.role_id').onRef('r.merchant_id', '=', 'sr.merchant_id'))
		.select(['r.name', 'r.status'])
		.where('sr.staff_id', '=', ctx.staffId)
		.where('sr.merchant_id', '=', ctx.merchantId)
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
});
