import { operatorIdInput } from '$lib/schemas/operators';
import { unlockOperator } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** 解锁: clears the failed sign-in count and the lock, so the operator may try again now. */
export const unlock = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.mutation(({ ctx, input }) => unlockOperator(ctx.db, actorOf(ctx), input.id));
