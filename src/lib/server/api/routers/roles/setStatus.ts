import { roleSetStatusInput } from '$lib/schemas/roles';
import { protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';
import { lockRole } from './roleRecord';

/** 启用 / 停用. A disabled role grants nothing from its holders' next request on (the session query reads enabled roles only). */
export const setStatus = protectedProcedure
	.meta({ permission: 'roles.manage', stepUp: true })
	.input(roleSetStatusInput)
	.mutation(async ({ ctx, input }) => {
		return ctx.db.transaction().execute(async (tx) => {
			const before = await lockRole(tx, ctx.merchantId, input.id);
			if (before.status === input.status) return { id: before.id, status: before.status };
			await tx
				.updateTable('roles')
				.set({ status: input.status, updated_at: new Date(), updated_by: ctx.staffId })
				.where('merchant_id', '=', ctx.merchantId)
				.where('id', '=', input.id)
				.execute();
			await auditChange(ctx, tx, 'roles.setStatus', { type: 'role', id: before.id }, {
				before: { status: before.status },
				after: { status: input.status },
				name: before.name
			});
			return { id: before.id, status: input.status };
		});
	});
