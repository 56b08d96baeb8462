import { roleUpdateInput } from '$lib/schemas/roles';
import { updateRole } from '$lib/server/team/roles';
import { actorOf, protectedProcedure } from '../../init';

/** 编辑: name and permissions (holders' sessions stay; the change applies from their next click). */
export const update = protectedProcedure
	.meta({ permission: 'roles.manage', stepUp: true })
	.input(roleUpdateInput)
	.mutation(({ ctx, input }) => updateRole(ctx.db, actorOf(ctx), input));
