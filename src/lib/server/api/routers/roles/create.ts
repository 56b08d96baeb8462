import { roleCreateInput } from '$lib/schemas/roles';
import { createRole } from '$lib/server/team/roles';
import { actorOf, protectedProcedure } from '../../init';

/** 新增角色. The name is unique per merchant; the permissions come only from the registry. */
export const create = protectedProcedure
	.meta({ permission: 'roles.manage', stepUp: true })
	.input(roleCreateInput)
	.mutation(({ ctx, input }) => createRole(ctx.db, actorOf(ctx), input));
