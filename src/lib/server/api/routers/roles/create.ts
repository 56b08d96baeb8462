import { roleCreateInput } from '$lib/schemas/roles';
import { appError, protectedProcedure } from '../../init';
import { auditChange, isUniqueViolation } from '../audit/record';

/** 新增角色. The name is unique per merchant; the permissions come only from the registry. */
export const create = protectedProcedure
	.meta({ permission: 'roles.manage', stepUp: true })
	.input(roleCreateInput)
	.mutation(async ({ ctx, input }) => {
		try {
			return await ctx.db.transaction().execute(async (tx) => {
				const role = await tx
					.insertInto('roles')
					.values({ merchant_id: ctx.merchantId, name: input.name, permissions: input.permissions, updated_by: ctx.staffId })
					.returning(['id', 'name', 'status', 'permissions'])
					.executeTakeFirstOrThrow();
				await auditChange(ctx, tx, 'roles.create', { type: 'role', id: role.id }, { before: null, after: role });
				return { id: role.id };
			});
		} catch (e) {
			if (isUniqueViolation(e, 'roles_merchant_id_name_key')) throw appError('CONFLICT', 'roles.nameTaken', { name: input.name });
			throw e;
		}
	});
