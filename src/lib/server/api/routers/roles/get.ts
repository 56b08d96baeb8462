import { roleIdInput } from '$lib/schemas/roles';
import { appError, protectedProcedure } from '../../init';
import { toRecord } from './roleRecord';

/** One role with its permissions, for the 编辑 form. */
export const get = protectedProcedure
	.meta({ permission: 'roles.manage' })
	.input(roleIdInput)
	.query(async ({ ctx, input }) => {
		const row = await ctx.db
			.selectFrom('roles')
			.select(['id', 'name', 'status', 'permissions', 'created_at', 'updated_at'])
			.where('merchant_id', '=', ctx.merchantId)
			.where('id', '=', input.id)
			.executeTakeFirst();
		if (!row) throw appError('NOT_FOUND', 'error.notFound');
		return { ...toRecord(row), createdAt: row.created_at, updatedAt: row.updated_at };
	});
