import { protectedProcedure } from '../../init';
import { userListInput } from '$lib/schemas/users';
import { listUsers } from '$lib/server/lists/users';

export const list = protectedProcedure
	.meta({ permission: 'users.read' })
	.input(userListInput)
	.query(({ ctx, input }) => listUsers(ctx.db, ctx.merchantId, input));
