// 资金明细 of one of the merchant's four accounts, from a home card: the fund-flow engine
// under accounts.read, never reaching a user's or the clearing account.
import { protectedProcedure } from '../../init';
import { accountFlowListInput } from '$lib/schemas/flows';
import { detailInput } from '$lib/schemas/lists';
import { getFlow, listFlows } from '$lib/server/lists/flows';
import { found } from '$lib/server/domain-error';

export const flows = protectedProcedure
	.meta({ permission: 'accounts.read' })
	.input(accountFlowListInput)
	.query(({ ctx, input }) => listFlows(ctx.db, ctx.merchantId, { ...input, filter: { ...input.filter, userNo: '' } }));

export const flow = protectedProcedure
	.meta({ permission: 'accounts.read' })
	.input(detailInput)
	.query(async ({ ctx, input }) => found(await getFlow(ctx.db, ctx.merchantId, input.id, { ownOnly: true })));
