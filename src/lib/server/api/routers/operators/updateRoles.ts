import { operatorUpdateRolesInput } from '$lib/schemas/operators';
import { invalidateStaffSessions } from '$lib/server/auth/session';
import { maskPhone } from '$lib/server/mask';
import { protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';
import { requireRoles } from '../roles/roleRecord';
import { auditView, lockOperator, setRoles } from './operatorRecord';

/** 变更角色信息: replaces the operator's roles and ends their sessions, so they sign in to the new set. */
export const updateRoles = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorUpdateRolesInput)
	.mutation(async ({ ctx, input }) => {
		return ctx.db.transaction().execute(async (tx) => {
			const before = await lockOperator(tx, ctx.merchantId, input.id);
			await requireRoles(tx, ctx.merchantId, input.roleIds);
			await setRoles(tx, ctx.merchantId, before.id, input.roleIds);
			await tx.updateTable('staff').set({ updated_at: new Date() }).where('id', '=', before.id).execute();
			await invalidateStaffSessions(tx, before.id);
			const after = { ...before, roleIds: [...input.roleIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
			await auditChange(ctx, tx, 'operators.updateRoles', { type: 'staff', id: before.id }, {
				before: auditView(before, maskPhone),
				after: auditView(after, maskPhone)
			});
			return { id: before.id };
		});
	});
