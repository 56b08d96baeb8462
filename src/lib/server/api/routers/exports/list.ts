import { protectedProcedure } from '../../init';
import { exportListInput } from '$lib/schemas/exports';
import { visibleTo } from '$lib/server/exports/create';
import { buildFailureKey } from '$lib/build-failure';

/** 导出记录: the merchant's exports, newest first; only one's own unless admin. */
export const list = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(exportListInput)
	.query(async ({ ctx, input }) => {
		const v = visibleTo(ctx.auth);
		let q = ctx.db
			.selectFrom('exports as e')
			.innerJoin('staff as s', 's.id', 'e.staff_id')
			.leftJoin('files as f', 'f.id', 'e.file_id')
			.where('e.merchant_id', '=', v.merchantId);
		if (v.staffId !== null) q = q.where('e.staff_id', '=', v.staffId);
		const [rows, total] = await Promise.all([
			q
				.select([
					'e.id',
					'e.list_key as list',
					'e.format',
					'e.status',
					'e.rows_done as rowsDone',
					'e.rows_total as rowsTotal',
					'e.error',
					'e.file_id as fileId',
					'f.size',
					's.name as staffName',
					'e.created_at as createdAt',
					'e.finished_at as finishedAt',
					'e.expires_at as expiresAt'
				])
				.orderBy('e.created_at', 'desc')
				.orderBy('e.id', 'desc')
				.offset((input.page - 1) * input.pageSize)
				.limit(input.pageSize)
				.execute(),
			q.select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()
		]);
		return {
			rows: rows.map((r) => ({ ...r, error: buildFailureKey(r.error, 'exports.buildFailed') })),
			total: { count: BigInt(total.n) },
			page: input.page,
			pageSize: input.pageSize
		};
	});
