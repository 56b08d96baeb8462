import { appError, protectedProcedure } from '../../init';
import { exportIdInput } from '$lib/schemas/exports';
import { requestExportBuild, visibleTo } from '$lib/server/exports/create';
import { EXPORT_SPECS, isExportList } from '$lib/server/exports/lists';

/** 重试 a FAILED export: back to QUEUED and enqueued again. */
export const retry = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportIdInput)
	.mutation(async ({ ctx, input }) => {
		const v = visibleTo(ctx.auth);
		let q = ctx.db.selectFrom('exports').select(['id', 'list_key', 'status']).where('merchant_id', '=', v.merchantId).where('id', '=', input.id);
		if (v.staffId !== null) q = q.where('staff_id', '=', v.staffId);
		const row = await q.executeTakeFirst();
		if (!row) throw appError('NOT_FOUND', 'error.notFound');
		if (!isExportList(row.list_key) || !ctx.auth.permissions.has(EXPORT_SPECS[row.list_key].permission)) throw appError('FORBIDDEN', 'error.forbidden');
		if (row.status !== 'FAILED') throw appError('BAD_REQUEST', 'exports.notFailed');
		await ctx.db.updateTable('exports').set({ status: 'QUEUED', error: null, rows_done: 0n }).where('id', '=', row.id).where('status', '=', 'FAILED').execute();
		await requestExportBuild(row.id);
		return { id: row.id };
	});
