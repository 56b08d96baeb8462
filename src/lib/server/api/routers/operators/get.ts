import { operatorIdInput } from '$lib/schemas/operators';
import { getOperator } from '$lib/server/team/operators';
import { protectedProcedure } from '../../init';

/** 查看信息: the merchant (商户号, 商户名称), the operator (phone masked) and their roles. */
export const get = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.query(({ ctx, input }) => getOperator(ctx.db, ctx.merchantId, input.id));
