import { operatorIdInput } from '$lib/schemas/operators';
import { resetOperatorPassword } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** 重置密码: a new random password by SMS; the operator's sessions end and a lockout clears. */
export const resetPassword = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorIdInput)
	.mutation(({ ctx, input }) => resetOperatorPassword(ctx.db, { ...actorOf(ctx), merchantNo: ctx.auth.staff.merchantNo }, input.id));
