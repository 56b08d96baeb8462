import { protectedProcedure } from '../../init';
import { refundListInput } from '$lib/schemas/refunds';
import { listRefunds } from '$lib/server/lists/refunds';
import { listOrBadRequest } from '$lib/server/lists/trpc';

export const list = protectedProcedure
	.meta({ permission: 'refunds.read' })
	.input(refundListInput)
	.query(({ ctx, input }) => listOrBadRequest(() => listRefunds(ctx.db, ctx.merchantId, input)));
