import { operatorIdInput } from '$lib/schemas/operators';
import { resetOperatorTwoFactor } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** 重置二次验证: the operator's key and codes forgotten, every session ended, an SMS tells them. */
export const resetTwoFactor = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorIdInput)
	.mutation(({ ctx, input }) => resetOperatorTwoFactor(ctx.db, { ...actorOf(ctx), merchantNo: ctx.auth.staff.merchantNo }, input.id));
