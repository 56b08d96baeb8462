import { protectedProcedure } from '../../init';
import { refundListInput } from '$lib/schemas/refunds';
import { listRefunds } from '$lib/server/lists/refunds';

export const list = protectedProcedure
	.meta({ permission: 'refunds.read' })
	.input(refundListInput)
	.query(({ ctx, input }) => listRefunds(ctx.db, ctx.merchantId, input));
