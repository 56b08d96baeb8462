import { appError, protectedProcedure } from '../../init';
import { exportCreateInput } from '$lib/schemas/exports';
import { createExport, ExportRefused } from '$lib/server/exports/create';
import { ListFilterError, ListRefNotFound } from '$lib/server/lists/errors';

/** 导出: the list's read permission is checked inside (it depends on which list). */
export const create = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportCreateInput)
	.mutation(async ({ ctx, input }) => {
		try {
			return await createExport(ctx.db, ctx.auth, input);
		} catch (e) {
			if (e instanceof ExportRefused) throw appError(e.code, e.key, e.params);
			if (e instanceof ListFilterError) throw appError('BAD_REQUEST', e.key);
			if (e instanceof ListRefNotFound) throw appError('NOT_FOUND', 'error.notFound');
			throw e;
		}
	});
