import { TZDate } from '@date-fns/tz';
import { addDays as addDaysFn, format } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, BUSINESS_TZ, businessDate, formatDateTime, startOfBusinessDate } from '#shared/time.ts';

// What the time-zone database says, for checking the fixed +08:00 path against.
const zoned = {
	businessDate: (at: Date) => format(new TZDate(at.getTime(), BUSINESS_TZ), 'yyyy-MM-dd'),
	formatDateTime: (at: Date) => format(new TZDate(at.getTime(), BUSINESS_TZ), 'yyyy-MM-dd HH:mm:ss'),
	startOfBusinessDate: (y: number, m: number, d: number) => new TZDate(y, m - 1, d, 0, 0, 0, BUSINESS_TZ).getTime(),
	addDays: (y: number, m: number, d: number, n: number) => format(addDaysFn(new TZDate(y, m - 1, d, 12, 0, 0, BUSINESS_TZ), n), 'yyyy-MM-dd')
};
const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
// Instants from 1985 (daylight saving 1986–1991 included) to 2200.
const instant = fc.integer({ min: Date.UTC(1985, 0, 1), max: Date.UTC(2200, 0, 1) }).map((t) => new Date(t));
const date = fc.record({ y: fc.integer({ min: 1985, max: 2200 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) });

describe('business time (Asia/Shanghai)', () => {
	it('puts 16:00Z on the next Shanghai day', () => {
		expect(businessDate(new Date('2026-11-24T15:59:59Z'))).toBe('2026-11-24');
		expect(businessDate(new Date('2026-11-24T16:00:00Z'))).toBe('2026-11-25');
	});
	it('starts a business day at 16:00Z of the previous UTC day', () => {
		expect(startOfBusinessDate('2026-11-25').toISOString()).toBe('2026-11-24T16:00:00.000Z');
	});
	it('shifts dates across months and years', () => {
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
		expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
		expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
	});
	it('formats instants in Shanghai time', () => {
		expect(formatDateTime(new Date('2026-11-24T16:00:05Z'))).toBe('2026-11-25 00:00:05');
		expect(formatDateTime('2026-11-24T16:00:05.999Z')).toBe('2026-11-25 00:00:05');
		expect(formatDateTime(null)).toBe('');
	});
	it('keeps the daylight saving Shanghai had until 1991 (UTC+9 in summer)', () => {
		expect(businessDate(new Date('1990-07-01T15:30:00Z'))).toBe('1990-07-02');
		expect(formatDateTime(new Date('1990-07-01T15:30:00Z'))).toBe('1990-07-02 00:30:00');
		expect(startOfBusinessDate('1990-07-01').toISOString()).toBe('1990-06-30T15:00:00.000Z');
	});
	it('agrees with the time-zone database on every instant and date', () => {
		fc.assert(
			fc.property(instant, (at) => {
				expect(businessDate(at)).toBe(zoned.businessDate(at));
				expect(formatDateTime(at)).toBe(zoned.formatDateTime(at));
			}),
			{ numRuns: 5000 }
		);
		fc.assert(
			fc.property(date, fc.integer({ min: -400, max: 400 }), ({ y, m, d }, n) => {
				expect(startOfBusinessDate(iso(y, m, d)).getTime()).toBe(zoned.startOfBusinessDate(y, m, d));
				expect(addDays(iso(y, m, d), n)).toBe(zoned.addDays(y, m, d, n));
			}),
			{ numRuns: 5000 }
		);
	});
	it('agrees at the edges of the fixed offset and of every day', () => {
		for (const t of [Date.UTC(1991, 11, 31, 15, 59, 59, 999), Date.UTC(1991, 11, 31, 16), Date.UTC(1991, 8, 14, 16), Date.UTC(2026, 0, 1, 15, 59, 59, 999), Date.UTC(2026, 0, 1, 16)]) {
			const at = new Date(t);
			expect(businessDate(at)).toBe(zoned.businessDate(at));
			expect(formatDateTime(at)).toBe(zoned.formatDateTime(at));
		}
		for (const [y, m, d] of [[1991, 12, 31], [1992, 1, 1], [1991, 9, 15], [1991, 4, 14]] as const) {
			expect(startOfBusinessDate(iso(y, m, d)).getTime()).toBe(zoned.startOfBusinessDate(y, m, d));
			expect(addDays(iso(y, m, d), 1)).toBe(zoned.addDays(y, m, d, 1));
			expect(addDays(iso(y, m, d), -1)).toBe(zoned.addDays(y, m, d, -1));
		}
	});
});
