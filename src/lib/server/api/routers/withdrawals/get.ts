import { protectedProcedure } from '../../init';
import { detailInput } from '$lib/schemas/lists';
import { getWithdrawal } from '$lib/server/lists/withdrawals';
import { found } from '$lib/server/domain-error';

export const get = protectedProcedure
	.meta({ permission: 'withdrawals.read' })
	.input(detailInput)
	.query(async ({ ctx, input }) => found(await getWithdrawal(ctx.db, ctx.merchantId, input.id)));
