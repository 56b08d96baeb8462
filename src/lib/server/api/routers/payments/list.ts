import { protectedProcedure } from '../../init';
import { paymentListInput } from '$lib/schemas/payments';
import { listPayments } from '$lib/server/lists/payments';
import { listOrBadRequest } from '$lib/server/lists/trpc';

export const list = protectedProcedure
	.meta({ permission: 'payments.read' })
	.input(paymentListInput)
	.query(({ ctx, input }) => listOrBadRequest(() => listPayments(ctx.db, ctx.merchantId, input)));
