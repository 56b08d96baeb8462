import { sql } from 'kysely';
import { isRolePermission } from '$lib/permissions';
import { roleListInput, type Paged, type RoleRow } from '$lib/schemas/roles';
import { roleWhere } from '$lib/server/lists/roles';
import { protectedProcedure } from '../../init';

/** 角色管理 list: newest first (the order its export uses), filtered by name (contains) and status. */
export const list = protectedProcedure
	.meta({ permission: 'roles.manage' })
	.input(roleListInput)
	.query(async ({ ctx, input }): Promise<Paged<RoleRow>> => {
		const q = ctx.db.selectFrom('roles').where(roleWhere(ctx.merchantId, input.filter));

		const [count, rows] = await Promise.all([
			q.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
			q
				.leftJoin('staff as u', (j) => j.onRef('u.id', '=', 'roles.updated_by').onRef('u.merchant_id', '=', 'roles.merchant_id'))
				.select([
					'roles.id',
					'roles.name',
					'roles.status',
					'roles.permissions',
					'roles.created_at',
					'roles.updated_at',
					'u.name as updated_by_name',
					(eb) =>
						eb
							.selectFrom('staff_roles as sr')
							.whereRef('sr.role_id', '=', 'roles.id')
							.select(sql<number>`count(*)::int`.as('n'))
							.as('operator_count')
				])
				.orderBy('roles.created_at', 'desc')
				.orderBy('roles.id', 'desc')
				.limit(input.pageSize)
				.offset((input.page - 1) * input.pageSize)
				.execute()
		]);
		return {
			rows: rows.map((r) => ({
				id: r.id,
				name: r.name,
				status: r.status,
				permissions: r.permissions.filter(isRolePermission),
				createdAt: r.created_at,
				updatedAt: r.updated_at,
				updatedByName: r.updated_by_name,
				operatorCount: r.operator_count ?? 0
			})),
			total: { count: BigInt(count.n), amount: null },
			page: input.page,
			pageSize: input.pageSize
		};
	});
