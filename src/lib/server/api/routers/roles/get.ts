import { roleIdInput } from '$lib/schemas/roles';
import { getRole } from '$lib/server/team/roles';
import { protectedProcedure } from '../../init';

/** One role with its permissions, for the 编辑 form. */
export const get = protectedProcedure
	.meta({ permission: 'roles.manage' })
	.input(roleIdInput)
	.query(({ ctx, input }) => getRole(ctx.db, ctx.merchantId, input.id));
