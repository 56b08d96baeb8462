import { protectedProcedure } from '../../init';
import { detailInput } from '$lib/schemas/lists';
import { getPayment } from '$lib/server/lists/payments';
import { found } from '$lib/server/domain-error';

export const get = protectedProcedure
	.meta({ permission: 'payments.read' })
	.input(detailInput)
	.query(async ({ ctx, input }) => found(await getPayment(ctx.db, ctx.merchantId, input.id)));
