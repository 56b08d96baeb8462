import { appError, protectedProcedure } from '../../init';
import { exportIdInput } from '$lib/schemas/exports';
import { exportProgress } from '$lib/server/exports/records';

/** One export's progress (polled every second while it runs). */
export const get = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportIdInput)
	.query(async ({ ctx, input }) => {
		const row = await exportProgress(ctx.db, ctx.auth, input.id);
		if (!row) throw appError('NOT_FOUND', 'error.notFound');
		return row;
	});
