import { operatorIdInput } from '$lib/schemas/operators';
import { endOperatorSessions, operatorDevices } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** An operator's signed-in devices, as they see them in 登录设备. */
export const sessions = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.query(({ ctx, input }) => operatorDevices(ctx.db, ctx.merchantId, input.id));

/** 全部退出: ends every session of the operator; each browser is signed out at its next request. */
export const endSessions = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.mutation(({ ctx, input }) => endOperatorSessions(ctx.db, actorOf(ctx), input.id));
