import { operatorIdInput } from '$lib/schemas/operators';
import { deleteOperator } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** 删除操作员: soft delete; the operator's sessions end and they can never sign in again. Never the admin. */
export const remove = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorIdInput)
	.mutation(({ ctx, input }) => deleteOperator(ctx.db, actorOf(ctx), input.id));
