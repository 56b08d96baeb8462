import { roleSetStatusManyInput } from '$lib/schemas/roles';
import { setRolesStatus } from '$lib/server/team/bulk-status';
import { actorOf, protectedProcedure } from '../../init';

/** 启用 / 停用 of the chosen roles, all or none; guarded and audited per role as setStatus. */
export const setStatusMany = protectedProcedure
	.meta({ permission: 'roles.manage', stepUp: true })
	.input(roleSetStatusManyInput)
	.mutation(({ ctx, input }) => setRolesStatus(ctx.db, actorOf(ctx), input));
