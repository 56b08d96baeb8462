import { twoFactorPolicySchema } from '$lib/schemas/two-factor';
import { appError, protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';

/** Whether the merchant requires two-factor sign-in of everyone. */
export const twoFactorPolicy = protectedProcedure.meta({ permission: 'operators.manage' }).query(async ({ ctx }) => {
	const m = await ctx.db.selectFrom('merchants').select('require_two_factor').where('id', '=', ctx.merchantId).executeTakeFirstOrThrow();
	return { required: m.require_two_factor };
});

/**
 * 要求所有人启用二次验证. The admin must have it first (otherwise the switch would send the admin
 * to enrolment too, mid-change). People without it are taken to enrolment at their next request.
 */
export const setTwoFactorRequired = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(twoFactorPolicySchema)
	.mutation(async ({ ctx, input }) => {
		if (input.required && !ctx.auth.twoFactorEnabled) throw appError('CONFLICT', 'twoFactor.enrolFirst');
		return ctx.db.transaction().execute(async (tx) => {
			const before = await tx.selectFrom('merchants').select('require_two_factor').where('id', '=', ctx.merchantId).forUpdate().executeTakeFirstOrThrow();
			if (before.require_two_factor === input.required) return { required: input.required };
			await tx.updateTable('merchants').set({ require_two_factor: input.required }).where('id', '=', ctx.merchantId).execute();
			await auditChange(ctx, tx, input.required ? 'twoFactor.requireAll' : 'twoFactor.requireNone', { type: 'merchant', id: ctx.merchantId }, {
				before: { required: before.require_two_factor },
				after: { required: input.required }
			});
			return { required: input.required };
		});
	});
