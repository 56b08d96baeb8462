import { sql } from 'kysely';
import { operatorListInput, type OperatorRow } from '$lib/schemas/operators';
import type { Paged } from '$lib/schemas/roles';
import { maskPhone } from '$lib/server/sms';
import { protectedProcedure } from '../../init';
import { escapeLike } from '../roles/list';
import { requireRoles } from '../roles/roleRecord';
import { isLocked, rolesOf } from './operatorRecord';

/** 操作员 list: never the admin; phones masked; newest first. */
export const list = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorListInput)
	.query(async ({ ctx, input }): Promise<Paged<OperatorRow>> => {
		const { name, phone, status, roleId } = input.filter;
		// Another merchant's role reads like a missing one, never like an empty list.
		if (roleId !== undefined) await requireRoles(ctx.db, ctx.merchantId, [roleId]);
		let q = ctx.db.selectFrom('staff as s').where('s.merchant_id', '=', ctx.merchantId).where('s.is_admin', '=', false);
		if (name) q = q.where('s.name', 'ilike', `%${escapeLike(name)}%`);
		if (phone) q = q.where('s.phone', 'like', `%${phone}%`);
		if (status) q = q.where('s.status', '=', status);
		if (roleId)
			q = q.where(({ exists, selectFrom }) =>
				exists(
					selectFrom('staff_roles as sr')
						.select(sql`1`.as('one'))
						.whereRef('sr.staff_id', '=', 's.id')
						.where('sr.merchant_id', '=', ctx.merchantId)
						.where('sr.role_id', '=', roleId)
				)
			);

		const [count, rows] = await Promise.all([
			q.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
			q
				.select(['s.id', 's.name', 's.phone', 's.email', 's.status', 's.locked_until', 's.must_change_password', 's.created_at', 's.updated_at'])
				.orderBy('s.id', 'desc')
				.limit(input.pageSize)
				.offset((input.page - 1) * input.pageSize)
				.execute()
		]);
		const roles = await rolesOf(ctx.db, ctx.merchantId, rows.map((r) => r.id));
		return {
			rows: rows.map((r) => ({
				id: r.id,
				name: r.name,
				phone: maskPhone(r.phone),
				email: r.email,
				status: r.status,
				locked: isLocked(r.locked_until),
				mustChangePassword: r.must_change_password,
				roles: roles.get(r.id) ?? [],
				createdAt: r.created_at,
				updatedAt: r.updated_at
			})),
			total: { count: BigInt(count.n), amount: null },
			page: input.page,
			pageSize: input.pageSize
		};
	});
