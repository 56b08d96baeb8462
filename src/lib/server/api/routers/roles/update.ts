import { roleUpdateInput } from '$lib/schemas/roles';
import { appError, protectedProcedure } from '../../init';
import { auditChange, isUniqueViolation } from '../audit/record';
import { lockRole } from './roleRecord';

/**
 * 编辑: name and permissions. Holders' sessions stay: permissions are read from the roles on
 * every request, so the change applies from their next click.
 */
export const update = protectedProcedure
	.meta({ permission: 'roles.manage', stepUp: true })
	.input(roleUpdateInput)
	.mutation(async ({ ctx, input }) => {
		try {
			return await ctx.db.transaction().execute(async (tx) => {
				const before = await lockRole(tx, ctx.merchantId, input.id);
				const after = await tx
					.updateTable('roles')
					.set({ name: input.name, permissions: input.permissions, updated_at: new Date(), updated_by: ctx.staffId })
					.where('merchant_id', '=', ctx.merchantId)
					.where('id', '=', input.id)
					.returning(['id', 'name', 'status', 'permissions'])
					.executeTakeFirstOrThrow();
				await auditChange(ctx, tx, 'roles.update', { type: 'role', id: before.id }, { before, after });
				return { id: after.id };
			});
		} catch (e) {
			if (isUniqueViolation(e, 'roles_merchant_id_name_key')) throw appError('CONFLICT', 'roles.nameTaken', { name: input.name });
			throw e;
		}
	});
