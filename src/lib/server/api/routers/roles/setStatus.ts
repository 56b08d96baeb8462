import { roleSetStatusInput } from '$lib/schemas/roles';
import { setRoleStatus } from '$lib/server/team/roles';
import { actorOf, protectedProcedure } from '../../init';

/** 启用 / 停用. */
export const setStatus = protectedProcedure
	.meta({ permission: 'roles.manage', stepUp: true })
	.input(roleSetStatusInput)
	.mutation(({ ctx, input }) => setRoleStatus(ctx.db, actorOf(ctx), input));
