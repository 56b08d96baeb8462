import { protectedProcedure } from '../../init';
import { exportIdInput } from '$lib/schemas/exports';
import { retryExport } from '$lib/server/exports/requests';

/** 重试 a FAILED export: back to QUEUED and enqueued again. */
export const retry = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportIdInput)
	.mutation(({ ctx, input }) => retryExport(ctx.db, ctx.auth, input.id));
