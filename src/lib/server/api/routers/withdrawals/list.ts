import { protectedProcedure } from '../../init';
import { withdrawalListInput } from '$lib/schemas/withdrawals';
import { listWithdrawals } from '$lib/server/lists/withdrawals';
import { listOrBadRequest } from '$lib/server/lists/trpc';

export const list = protectedProcedure
	.meta({ permission: 'withdrawals.read' })
	.input(withdrawalListInput)
	.query(({ ctx, input }) => listOrBadRequest(() => listWithdrawals(ctx.db, ctx.merchantId, input)));
