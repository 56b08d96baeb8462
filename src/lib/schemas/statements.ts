// The statements calendar: which days exist and may be asked for (shared by API and page).
import { z } from 'zod';
import { businessDate, yesterday } from '../time.ts';

export const STATEMENT_MONTHS_BACK = 3;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

export const statementDateSchema = z.string().regex(DATE, 'error.badInput');
export const statementMonthInput = z.object({ month: z.string().regex(MONTH, 'error.badInput') });
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
export type StatementDayState = 'READY' | 'BUILDING' | 'PENDING' | 'FAILED' | 'MISSING' | 'NOT_DUE' | 'OUT_OF_RANGE';

export interface StatementDay {
	date: string;
	state: StatementDayState;
	rowsDone: number;
	rowCount: number | null;
	error: string | null;
	csvFileId: string | null;
	xlsxFileId: string | null;
}
