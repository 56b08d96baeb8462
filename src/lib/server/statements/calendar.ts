// The 对账单下载 calendar: one month, each day's state, build progress and file ids.
import type { Db } from '#db';
import { buildFailureKey } from '#shared/build-failure.ts';
import { daysOfMonth, statementWindow, type StatementDay } from '#shared/schemas/statements.ts';
import { abandoned } from '../leased-build.ts';

export interface StatementMonth {
	days: StatementDay[];
	first: string;
	last: string;
	today: string;
}

export async function statementMonth(db: Db, merchantId: bigint, month: string): Promise<StatementMonth> {
	const window = statementWindow();
	const days = daysOfMonth(month);
	const rows = await db
		.selectFrom('statements')
		.select(['accounting_date', 'status', 'rows_done', 'row_count', 'error', 'csv_file_id', 'xlsx_file_id', abandoned('statements').as('abandoned')])
		.where('merchant_id', '=', merchantId)
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
}
