import { operatorListInput } from '$lib/schemas/operators';
import { listOperators } from '$lib/server/team/operators';
import { protectedProcedure } from '../../init';

/** 操作员 list: never the admin; phones masked; newest first (the order its export uses). */
export const list = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorListInput)
	.query(({ ctx, input }) => listOperators(ctx.db, ctx.merchantId, input));
