import { operatorIdInput } from '$lib/schemas/operators';
import { invalidateStaffSessions } from '$lib/server/auth/session';
import { protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';
import { newInitialPassword, smsPassword } from './initialPassword';
import { lockOperator } from './operatorRecord';

/**
 * 重置密码: a new random password by SMS, to be changed at the next sign-in. Ends the operator's
 * sessions and clears a lockout (the admin has just handed them a fresh way in).
 */
export const resetPassword = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorIdInput)
	.mutation(async ({ ctx, input }) => {
		const { password, hash } = await newInitialPassword();
		const operator = await ctx.db.transaction().execute(async (tx) => {
			const before = await lockOperator(tx, ctx.merchantId, input.id);
			await tx
				.updateTable('staff')
				.set({ password_hash: hash, must_change_password: true, failed_attempts: 0, locked_until: null, updated_at: new Date() })
				.where('merchant_id', '=', ctx.merchantId)
				.where('id', '=', before.id)
				.execute();
			await invalidateStaffSessions(tx, before.id);
			await auditChange(ctx, tx, 'operators.resetPassword', { type: 'staff', id: before.id }, {
				before: { mustChangePassword: before.mustChangePassword, failedAttempts: before.failedAttempts },
				after: { mustChangePassword: true, failedAttempts: 0 },
				name: before.name
			});
			return before;
		});
		const sms = await smsPassword(
			ctx.db,
			{ merchantId: ctx.merchantId, merchantNo: ctx.auth.staff.merchantNo, name: operator.name, phone: operator.phone },
			password,
			'reset'
		);
		return { id: operator.id, smsStatus: sms.status };
	});
