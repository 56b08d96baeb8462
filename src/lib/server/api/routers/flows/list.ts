import { protectedProcedure } from '../../init';
import { flowListInput } from '$lib/schemas/flows';
import { listFlows } from '$lib/server/lists/flows';
import { listOrBadRequest } from '$lib/server/lists/trpc';

export const list = protectedProcedure
	.meta({ permission: 'flows.read' })
	.input(flowListInput)
	.query(({ ctx, input }) => listOrBadRequest(() => listFlows(ctx.db, ctx.merchantId, input)));
