// Business dates are Asia/Shanghai, whatever zone the server runs in.
import { TZDate } from '@date-fns/tz';
import { addDays as addDaysFn, format } from 'date-fns';

export const BUSINESS_TZ = 'Asia/Shanghai';

/** The Asia/Shanghai calendar date ('YYYY-MM-DD') of an instant. */
export function businessDate(at: Date = new Date()): string {
	return format(new TZDate(at.getTime(), BUSINESS_TZ), 'yyyy-MM-dd');
}

/** The instant a business date starts (00:00 Asia/Shanghai). */
export function startOfBusinessDate(date: string): Date {
	const [y, m, d] = date.split('-').map(Number);
	return new Date(new TZDate(y, m - 1, d, 0, 0, 0, BUSINESS_TZ).getTime());
}

/** 'YYYY-MM-DD' shifted by n calendar days. */
export function addDays(date: string, n: number): string {
	const [y, m, d] = date.split('-').map(Number);
	return format(addDaysFn(new TZDate(y, m - 1, d, 12, 0, 0, BUSINESS_TZ), n), 'yyyy-MM-dd');
}

export function yesterday(now: Date = new Date()): string {
	return addDays(businessDate(now), -1);
}

/** '2026-11-25 09:30:05' in Asia/Shanghai, the way every list and file shows a time. */
export function formatDateTime(at: Date | string | null | undefined): string {
	if (at == null) return '';
	const t = typeof at === 'string' ? new Date(at) : at;
	return format(new TZDate(t.getTime(), BUSINESS_TZ), 'yyyy-MM-dd HH:mm:ss');
}
