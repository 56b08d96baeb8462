import { appError, protectedProcedure } from '../../init';
import { exportIdInput } from '$lib/schemas/exports';
import { visibleTo } from '$lib/server/exports/create';
import { buildFailureKey } from '$lib/build-failure';

/** One export's progress (polled every second while it runs). */
export const get = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportIdInput)
	.query(async ({ ctx, input }) => {
		const v = visibleTo(ctx.auth);
		let q = ctx.db
			.selectFrom('exports')
			.select(['id', 'status', 'rows_done as rowsDone', 'rows_total as rowsTotal', 'error', 'file_id as fileId'])
			.where('merchant_id', '=', v.merchantId)
			.where('id', '=', input.id);
		if (v.staffId !== null) q = q.where('staff_id', '=', v.staffId);
		const row = await q.executeTakeFirst();
		if (!row) throw appError('NOT_FOUND', 'error.notFound');
		return { ...row, error: buildFailureKey(row.error, 'exports.buildFailed') };
	});
