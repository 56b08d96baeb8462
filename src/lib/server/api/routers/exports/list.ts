import { protectedProcedure } from '../../init';
import { exportListInput } from '$lib/schemas/exports';
import { listExports } from '$lib/server/exports/records';

/** 导出记录: the merchant's exports, newest first; only one's own unless admin. */
export const list = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportListInput)
	.query(({ ctx, input }) => listExports(ctx.db, ctx.auth, input));
