import { operatorCreateInput } from '$lib/schemas/operators';
import { createOperator } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** 新增操作员: the initial password goes by SMS only; it must be changed at first sign-in. */
export const create = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorCreateInput)
	.mutation(({ ctx, input }) => createOperator(ctx.db, { ...actorOf(ctx), merchantNo: ctx.auth.staff.merchantNo }, input));
