import { protectedProcedure } from '../../init';
import { withdrawalListInput } from '$lib/schemas/withdrawals';
import { listWithdrawals } from '$lib/server/lists/withdrawals';

export const list = protectedProcedure
	.meta({ permission: 'withdrawals.read' })
	.input(withdrawalListInput)
	.query(({ ctx, input }) => listWithdrawals(ctx.db, ctx.merchantId, input));
