import { protectedProcedure } from '../../init';
import { detailInput } from '$lib/schemas/lists';
import { getRefund } from '$lib/server/lists/refunds';
import { found } from '$lib/server/domain-error';

export const get = protectedProcedure
	.meta({ permission: 'refunds.read' })
	.input(detailInput)
	.query(async ({ ctx, input }) => found(await getRefund(ctx.db, ctx.merchantId, input.id)));
