import { protectedProcedure } from '../../init';
import { flowListInput } from '$lib/schemas/flows';
import { listFlows } from '$lib/server/lists/flows';

export const list = protectedProcedure
	.meta({ permission: 'flows.read' })
	.input(flowListInput)
	.query(({ ctx, input }) => listFlows(ctx.db, ctx.merchantId, input));
