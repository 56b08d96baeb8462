import { protectedProcedure } from '../../init';
import { userListInput } from '$lib/schemas/users';
import { listUsers } from '$lib/server/lists/users';
import { listOrBadRequest } from '$lib/server/lists/trpc';

export const list = protectedProcedure
	.meta({ permission: 'users.read' })
	.input(userListInput)
	.query(({ ctx, input }) => listOrBadRequest(() => listUsers(ctx.db, ctx.merchantId, input)));
