import { roleListInput } from '$lib/schemas/roles';
import { listRoles } from '$lib/server/team/roles';
import { protectedProcedure } from '../../init';

/** 角色管理 list: newest first (the order its export uses), filtered by name (contains) and status. */
export const list = protectedProcedure
	.meta({ permission: 'roles.manage' })
	.input(roleListInput)
	.query(({ ctx, input }) => listRoles(ctx.db, ctx.merchantId, input));
