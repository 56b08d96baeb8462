import { twoFactorPolicySchema } from '$lib/schemas/two-factor';
import { setTwoFactorRequired as setRequired, twoFactorPolicy as policyOf } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** Whether the merchant requires two-factor sign-in of everyone. */
export const twoFactorPolicy = protectedProcedure.meta({ permission: 'operators.manage' }).query(({ ctx }) => policyOf(ctx.db, ctx.merchantId));

/** 要求所有人启用二次验证 (the admin must have it first). */
export const setTwoFactorRequired = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(twoFactorPolicySchema)
	.mutation(({ ctx, input }) => setRequired(ctx.db, { ...actorOf(ctx), twoFactorEnabled: ctx.auth.twoFactorEnabled === true }, input.required));
