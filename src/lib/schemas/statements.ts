// The statements calendar: which days exist and may be asked for (shared by API and page).
import { z } from 'zod';
import { businessDate, yesterday } from '../time.ts';
import { text } from './common.ts';

const STATEMENT_MONTHS_BACK = 3;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Years 0001–9999, months 01–12: the shape alone let '2026-13' reach Postgres as '2026-13-01' (a 500). */
const MONTH = /^(?!0000)\d{4}-(0[1-9]|1[0-2])$/;

/** A real calendar day ('2026-02-30' is not one), so the text can go to Postgres as a date. */
function isRealDate(s: string): boolean {
	if (!DATE.test(s)) return false;
	const [y, m, d] = s.split('-').map(Number);
	const probe = new Date(Date.UTC(y, m - 1, d));
	return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

const statementDateSchema = text().refine(isRealDate, 'error.badInput');
export const statementMonthInput = z.object({ month: text().regex(MONTH, 'error.badInput') });
export const statementRequestInput = z.object({ date: statementDateSchema });

/** 'YYYY-MM-DD' moved by whole months, the day clamped to the target month's length. */
export function addMonths(date: string, n: number): string {
	const [y, m, d] = date.split('-').map(Number);
	const index = y * 12 + (m - 1) + n;
	const year = Math.floor(index / 12);
	const month = (index % 12) + 1;
	const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The days a statement can be downloaded or (re)built for: yesterday back to three months before it. */
export function statementWindow(now: Date = new Date()): { first: string; last: string; today: string } {
	const last = yesterday(now);
	return { first: addMonths(last, -STATEMENT_MONTHS_BACK), last, today: businessDate(now) };
}

export function inStatementWindow(date: string, now: Date = new Date()): boolean {
	const w = statementWindow(now);
	return DATE.test(date) && date >= w.first && date <= w.last;
}

/** Every 'YYYY-MM-DD' of a 'YYYY-MM' month. */
export function daysOfMonth(month: string): string[] {
	const [y, m] = month.split('-').map(Number);
	const count = new Date(Date.UTC(y, m, 0)).getUTCDate();
	return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/** What a calendar day shows. */
type StatementDayState = 'READY' | 'BUILDING' | 'PENDING' | 'FAILED' | 'MISSING' | 'NOT_DUE' | 'OUT_OF_RANGE';

export interface StatementDay {
	date: string;
	state: StatementDayState;
	rowsDone: number;
	rowCount: number | null;
	error: string | null;
	csvFileId: string | null;
	xlsxFileId: string | null;
}

/** The most days one range statement covers (both ends inclusive): a month. */
export const STATEMENT_RANGE_MAX_DAYS = 31;
/** The export kind (exports.list_key) of a range statement: built, listed and downloaded through 导出记录. */
export const STATEMENT_RANGE_EXPORT = 'statementRange';

/** Days from `from` to `to` ('YYYY-MM-DD'), both inclusive; 0 or less when `to` comes first. */
export function daysInRange(from: string, to: string): number {
	return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Which closed days a range statement covers: the shape and length here; the window (no open day, not before it) on the server. */
export const statementPeriodSchema = z
	.object({ from: statementDateSchema, to: statementDateSchema })
	.refine((r) => r.to >= r.from, { message: 'statements.range.endBeforeStart', path: ['to'] })
	.refine((r) => daysInRange(r.from, r.to) <= STATEMENT_RANGE_MAX_DAYS, { message: 'statements.range.tooLong', path: ['to'] });

/** 对账单下载 → 按日期范围: a range of closed days (or a whole month) as one CSV or Excel file. */
export const statementRangeInput = z
	.object({ from: statementDateSchema, to: statementDateSchema, format: z.enum(['CSV', 'XLSX']) })
	.refine((r) => r.to >= r.from, { message: 'statements.range.endBeforeStart', path: ['to'] })
	.refine((r) => daysInRange(r.from, r.to) <= STATEMENT_RANGE_MAX_DAYS, { message: 'statements.range.tooLong', path: ['to'] });
export type StatementRangeInput = z.infer<typeof statementRangeInput>;
