import { protectedProcedure } from '../../init';
import { buildFailureKey } from '$lib/build-failure';
import { abandoned } from '$lib/server/leased-build';
import { daysOfMonth, statementMonthInput, statementWindow, type StatementDay } from '$lib/schemas/statements';

/** One month of the 对账单下载 calendar: each day's state, build progress and file ids. */
export const month = protectedProcedure
	.meta({ permission: 'statements.download' })
	.input(statementMonthInput)
	.query(async ({ ctx, input }): Promise<{ days: StatementDay[]; first: string; last: string; today: string }> => {
		const window = statementWindow();
		const days = daysOfMonth(input.month);
		const rows = await ctx.db
			.selectFrom('statements')
			.select(['accounting_date', 'status', 'rows_done', 'row_count', 'error', 'csv_file_id', 'xlsx_file_id', abandoned('statements').as('abandoned')])
			.where('merchant_id', '=', ctx.merchantId)
			.where('accounting_date', '>=', days[0])
			.where('accounting_date', '<=', days[days.length - 1])
			.execute();
		const byDate = new Map(rows.map((r) => [r.accounting_date, r]));
		return {
			...window,
			days: days.map((date): StatementDay => {
				const r = byDate.get(date);
				const base = { date, rowsDone: 0, rowCount: null, error: null, csvFileId: null, xlsxFileId: null };
				if (date > window.last) return { ...base, state: 'NOT_DUE' };
				if (date < window.first) return { ...base, state: 'OUT_OF_RANGE' };
				if (!r) return { ...base, state: 'MISSING' };
				// A build whose worker died shows as failed until someone asks again.
				return {
					date,
					state: r.abandoned ? 'FAILED' : r.status,
					rowsDone: Number(r.rows_done),
					rowCount: r.row_count === null ? null : Number(r.row_count),
					error: buildFailureKey(r.error, 'statements.buildFailed'),
					csvFileId: r.status === 'READY' ? String(r.csv_file_id) : null,
					xlsxFileId: r.status === 'READY' ? String(r.xlsx_file_id) : null
				};
			})
		};
	});
