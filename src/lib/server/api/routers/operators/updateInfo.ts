import { operatorUpdateInfoInput } from '$lib/schemas/operators';
import { invalidateStaffSessions } from '$lib/server/auth/session';
import { maskPhone } from '$lib/server/mask';
import { protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';
import { auditView, lockOperator } from './operatorRecord';

/** 变更操作员信息: 邮箱 and 状态. Disabling ends the operator's sessions at once. */
export const updateInfo = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorUpdateInfoInput)
	.mutation(async ({ ctx, input }) => {
		return ctx.db.transaction().execute(async (tx) => {
			const before = await lockOperator(tx, ctx.merchantId, input.id);
			await tx
				.updateTable('staff')
				.set({ email: input.email, status: input.status, updated_at: new Date() })
				.where('merchant_id', '=', ctx.merchantId)
				.where('id', '=', input.id)
				.execute();
			const after = { ...before, email: input.email, status: input.status };
			if (input.status === 'DISABLED') await invalidateStaffSessions(tx, before.id);
			await auditChange(ctx, tx, 'operators.updateInfo', { type: 'staff', id: before.id }, {
				before: auditView(before, maskPhone),
				after: auditView(after, maskPhone)
			});
			return { id: before.id };
		});
	});
