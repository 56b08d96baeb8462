import { protectedProcedure } from '../../init';
import { detailInput } from '$lib/schemas/lists';
import { getUser } from '$lib/server/lists/users';
import { found } from '$lib/server/domain-error';

export const get = protectedProcedure
	.meta({ permission: 'users.read' })
	.input(detailInput)
	.query(async ({ ctx, input }) => found(await getUser(ctx.db, ctx.merchantId, input.id)));
