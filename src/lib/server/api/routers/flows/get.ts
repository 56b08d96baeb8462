import { protectedProcedure } from '../../init';
import { detailInput } from '$lib/schemas/lists';
import { getFlow } from '$lib/server/lists/flows';
import { found } from '$lib/server/domain-error';

export const get = protectedProcedure
	.meta({ permission: 'flows.read' })
	.input(detailInput)
	.query(async ({ ctx, input }) => found(await getFlow(ctx.db, ctx.merchantId, input.id)));
