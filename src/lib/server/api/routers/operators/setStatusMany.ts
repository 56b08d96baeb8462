import { operatorSetStatusManyInput } from '$lib/schemas/operators';
import { setOperatorsStatus } from '$lib/server/team/bulk-status';
import { actorOf, protectedProcedure } from '../../init';

/** 启用 / 停用 of the chosen operators, all or none; guarded and audited per operator as updateInfo (disabling ends their sessions). */
export const setStatusMany = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorSetStatusManyInput)
	.mutation(({ ctx, input }) => setOperatorsStatus(ctx.db, actorOf(ctx), input));
