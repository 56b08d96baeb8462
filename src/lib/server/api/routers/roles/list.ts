import { sql } from 'kysely';
import { isRolePermission } from '$lib/permissions';
import { roleListInput, type Paged, type RoleRow } from '$lib/schemas/roles';
import { protectedProcedure } from '../../init';

/** 角色管理 list: newest first, filtered by name (contains) and status. */
export const list = protectedProcedure
	.meta({ permission: 'roles.manage' })
	.input(roleListInput)
	.query(async ({ ctx, input }): Promise<Paged<RoleRow>> => {
		const { name, status } = input.filter;
		let q = ctx.db.selectFrom('roles as r').where('r.merchant_id', '=', ctx.merchantId);
		if (name) q = q.where('r.name', 'ilike', `%${escapeLike(name)}%`);
		if (status) q = q.where('r.status', '=', status);

		const [count, rows] = await Promise.all([
			q.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
			q
				.leftJoin('staff as u', (j) => j.onRef('u.id', '=', 'r.updated_by').onRef('u.merchant_id', '=', 'r.merchant_id'))
				.select([
					'r.id',
					'r.name',
					'r.status',
					'r.permissions',
					'r.created_at',
					'r.updated_at',
					'u.name as updated_by_name',
					(eb) =>
						eb
							.selectFrom('staff_roles as sr')
							.whereRef('sr.role_id', '=', 'r.id')
							.select(sql<number>`count(*)::int`.as('n'))
							.as('operator_count')
				])
				.orderBy('r.id', 'desc')
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

export function escapeLike(s: string): string {
	return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
