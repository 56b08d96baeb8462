import { operatorUpdateInfoInput } from '$lib/schemas/operators';
import { updateOperatorInfo } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** 变更操作员信息: 邮箱 and 状态. Disabling ends the operator's sessions at once. */
export const updateInfo = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorUpdateInfoInput)
	.mutation(({ ctx, input }) => updateOperatorInfo(ctx.db, actorOf(ctx), input));
