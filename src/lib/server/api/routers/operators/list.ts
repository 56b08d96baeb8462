import { sql } from 'kysely';
import { operatorListInput, type OperatorRow } from '$lib/schemas/operators';
import type { Paged } from '$lib/schemas/roles';
import { operatorWhere } from '$lib/server/lists/operators';
import { maskPhone } from '$lib/server/mask';
import { protectedProcedure } from '../../init';
import { isLocked, rolesOf } from './operatorRecord';

/** 操作员 list: never the admin; phones masked; newest first (the order its export uses). */
export const list = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorListInput)
	.query(async ({ ctx, input }): Promise<Paged<OperatorRow>> => {
		const where = await operatorWhere(ctx.db, ctx.merchantId, input.filter);
		const q = ctx.db.selectFrom('staff').where(where);

		const [count, rows] = await Promise.all([
			q.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
			q
				.select(['id', 'name', 'phone', 'email', 'status', 'locked_until', 'must_change_password', 'totp_enabled_at', 'created_at', 'updated_at'])
				.orderBy('created_at', 'desc')
				.orderBy('id', 'desc')
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
				twoFactorEnabled: r.totp_enabled_at !== null,
				roles: roles.get(r.id) ?? [],
				createdAt: r.created_at,
				updatedAt: r.updated_at
			})),
			total: { count: BigInt(count.n), amount: null },
			page: input.page,
			pageSize: input.pageSize
		};
	});
