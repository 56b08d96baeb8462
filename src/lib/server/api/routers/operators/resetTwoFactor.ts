import { operatorIdInput } from '$lib/schemas/operators';
import { invalidateStaffSessions } from '$lib/server/auth/session';
import { clearSecondFactor } from '$lib/server/auth/two-factor-enrolment';
import { sendSms, smsText } from '$lib/server/sms';
import { appError, protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';
import { lockOperator } from './operatorRecord';

/**
 * 重置二次验证: for an operator who lost their phone and recovery codes. Their key and codes are
 * forgotten and every session ends; they sign in with the password alone and, if the merchant
 * requires two-factor, enrol again first. An SMS tells them (a reset they did not ask for is a
 * warning sign).
 */
export const resetTwoFactor = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorIdInput)
	.mutation(async ({ ctx, input }) => {
		const operator = await ctx.db.transaction().execute(async (tx) => {
			const before = await lockOperator(tx, ctx.merchantId, input.id);
			const staff = await tx.selectFrom('staff').select('totp_enabled_at').where('id', '=', before.id).executeTakeFirstOrThrow();
			if (!staff.totp_enabled_at) throw appError('CONFLICT', 'twoFactor.operatorNotEnrolled');
			await clearSecondFactor(tx, before.id);
			await invalidateStaffSessions(tx, before.id);
			await auditChange(ctx, tx, 'operators.resetTwoFactor', { type: 'staff', id: before.id }, {
				before: { twoFactorEnabled: true },
				after: { twoFactorEnabled: false },
				name: before.name,
				sessionsEnded: true
			});
			return before;
		});
		const sms = await sendSms(ctx.db, {
			merchantId: ctx.merchantId,
			phone: operator.phone,
			body: smsText('sms.body.twoFactorReset', { name: operator.name, merchantNo: ctx.auth.staff.merchantNo }),
			purpose: 'TWO_FACTOR_RESET'
		});
		return { id: operator.id, smsStatus: sms.status };
	});
