// Business dates are Asia/Shanghai, whatever zone the server runs in.
//
// Asia/Shanghai has been UTC+8 all year since its last daylight saving ended in September 1991,
// so from FIXED_SINCE on these functions shift by a fixed 8 hours: the time-zone database
// lookup (@date-fns/tz's tzOffset through Intl) was a measurable share of a list request's
// CPU, run several times per request for its range and its buckets. Earlier instants and dates
// still go through the time-zone database, so every answer stays exact; tests/unit/time.test.ts
// checks the fixed path against it. Should China ever bring daylight saving back, FIXED_UNTIL
// is where the fixed path would end.
import { TZDate } from '@date-fns/tz';
import { addDays as addDaysFn, format } from 'date-fns';

export const BUSINESS_TZ = 'Asia/Shanghai';

const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
/** 1992-01-01 00:00 Asia/Shanghai: UTC+8 without daylight saving from here on. */
const FIXED_SINCE = Date.UTC(1991, 11, 31, 16);
/** 10000-01-01 UTC: past it dates no longer have four-digit years. */
const FIXED_UNTIL = Date.UTC(10_000, 0, 1) - OFFSET_MS;

function fixed(ms: number): boolean {
	return ms >= FIXED_SINCE && ms < FIXED_UNTIL;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** 'YYYY-MM-DD' of a UTC-based date (the shifted instant's calendar fields). */
function ymd(d: Date): string {
	return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** The Asia/Shanghai calendar date ('YYYY-MM-DD') of an instant. */
export function businessDate(at: Date = new Date()): string {
	const t = at.getTime();
	if (!fixed(t)) return format(new TZDate(t, BUSINESS_TZ), 'yyyy-MM-dd');
	return ymd(new Date(t + OFFSET_MS));
}

/** The instant a business date starts (00:00 Asia/Shanghai). */
export function startOfBusinessDate(date: string): Date {
	const [y, m, d] = date.split('-').map(Number);
	const start = Date.UTC(y, m - 1, d) - OFFSET_MS;
	// Date.UTC reads years 0–99 as 1900–1999; those and pre-1992 dates take the database's offset.
	if (y >= 1992 && fixed(start)) return new Date(start);
	return new Date(new TZDate(y, m - 1, d, 0, 0, 0, BUSINESS_TZ).getTime());
}

/** 'YYYY-MM-DD' shifted by n calendar days. */
export function addDays(date: string, n: number): string {
	const [y, m, d] = date.split('-').map(Number);
	// Pure calendar arithmetic: no zone is involved once the date is a date.
	if (y >= 1992 && y < 10_000) {
		const shifted = new Date(Date.UTC(y, m - 1, d) + n * DAY_MS);
		const sy = shifted.getUTCFullYear();
		if (sy >= 1992 && sy < 10_000) return ymd(shifted);
	}
	return format(addDaysFn(new TZDate(y, m - 1, d, 12, 0, 0, BUSINESS_TZ), n), 'yyyy-MM-dd');
}

export function yesterday(now: Date = new Date()): string {
	return addDays(businessDate(now), -1);
}

/** '2026-11-25 09:30:05' in Asia/Shanghai, the way every list and file shows a time. */
export function formatDateTime(at: Date | string | null | undefined): string {
	if (at == null) return '';
	const t = (typeof at === 'string' ? new Date(at) : at).getTime();
	if (!fixed(t)) return format(new TZDate(t, BUSINESS_TZ), 'yyyy-MM-dd HH:mm:ss');
	const s = new Date(t + OFFSET_MS);
	return `${ymd(s)} ${pad2(s.getUTCHours())}:${pad2(s.getUTCMinutes())}:${pad2(s.getUTCSeconds())}`;
}
