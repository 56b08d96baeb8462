import { describe, expect, it } from 'vitest';
import { addDays, businessDate, formatDateTime, startOfBusinessDate } from '#shared/time.ts';

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
	});
	it('formats instants in Shanghai time', () => {
		expect(formatDateTime(new Date('2026-11-24T16:00:05Z'))).toBe('2026-11-25 00:00:05');
	});
});
