import { operatorUpdateRolesInput } from '$lib/schemas/operators';
import { updateOperatorRoles } from '$lib/server/team/operator-changes';
import { actorOf, protectedProcedure } from '../../init';

/** 变更角色信息: replaces the operator's roles and ends their sessions, so they sign in to the new set. */
export const updateRoles = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorUpdateRolesInput)
	.mutation(({ ctx, input }) => updateOperatorRoles(ctx.db, actorOf(ctx), input));
