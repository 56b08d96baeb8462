import { protectedProcedure } from '../../init';
import { paymentListInput } from '$lib/schemas/payments';
import { listPayments } from '$lib/server/lists/payments';

export const list = protectedProcedure
	.meta({ permission: 'payments.read' })
	.input(paymentListInput)
	.query(({ ctx, input }) => listPayments(ctx.db, ctx.merchantId, input));
