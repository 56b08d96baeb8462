import { describe, expect, it } from 'vitest';
import { formatYuan, formatYuanLabel, parseYuan } from '#shared/money.ts';

describe('money', () => {
	it('formats fen as yuan with two decimals', () => {
		expect(formatYuan(1242n)).toBe('12.42');
		expect(formatYuan(5n)).toBe('0.05');
		expect(formatYuan(-5n)).toBe('-0.05');
		expect(formatYuan(123456789n, { grouping: true })).toBe('1,234,567.89');
		expect(formatYuanLabel(1242n)).toBe('12.42元');
	});
	it('parses yuan text exactly, refusing floats beyond fen', () => {
		expect(parseYuan('12.4')).toBe(1240n);
		expect(parseYuan('0.07')).toBe(7n);
		expect(parseYuan('1,000.00')).toBe(100000n);
		expect(parseYuan('1.234')).toBeNull();
		expect(parseYuan('abc')).toBeNull();
	});
	it('round-trips every fen value of a range', () => {
		for (let f = -1000n; f <= 1000n; f += 7n) expect(parseYuan(formatYuan(f))).toBe(f);
	});
});
