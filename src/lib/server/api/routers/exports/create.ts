import { protectedProcedure } from '../../init';
import { exportCreateInput } from '$lib/schemas/exports';
import { createExport } from '$lib/server/exports/requests';

/** 导出: the list's read permission is checked inside (it depends on which list). */
export const create = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportCreateInput)
	.mutation(({ ctx, input }) => createExport(ctx.db, ctx.auth, input));
