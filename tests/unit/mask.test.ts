// The manual's masks (SPEC §3): names hide the first character, card numbers keep the bank's
// 6-digit prefix and the last four; and the SQL twins that exports and statements use give the
// very same text as the functions the screens use.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { maskCardNo, maskCardNoSql, maskIdNo, maskIdNoSql, maskName, maskNameSql, maskPhone, maskPhoneSql } from '#shared/server/mask.ts';
import { rng } from '../fixtures/rng.ts';

describe('masks as the manual shows them', () => {
	it('names hide the first character', () => {
		expect(maskName('张李文')).toBe('*李文');
		expect(maskName('王佳')).toBe('*佳');
		expect(maskName('欧阳小明')).toBe('*阳小明');
		expect(maskName('张')).toBe('*');
		expect(maskName('')).toBe('');
		expect(maskName(null)).toBe('');
	});

	it('card numbers keep the 6-digit bank prefix and the last four', () => {
		expect(maskCardNo('6217001234561234')).toBe('621700******1234');
		expect(maskCardNo('6217001234567891234')).toBe('621700*********1234');
		expect(maskCardNo('622202123412')).toBe('622202**3412');
		expect(maskCardNo(undefined)).toBe('');
	});

	it('phones and ID numbers as before', () => {
		expect(maskPhone('17712345204')).toBe('177****5204');
		expect(maskIdNo('610500199001013634')).toBe('6105**********3634');
	});
});

describe('the SQL masks equal the screen masks', () => {
	const db = getDb();
	const han = '张李文王佳欧阳小明赵钱孙𠀋';
	const r = rng(812);
	const text = (alphabet: string, lo: number, hi: number) => {
		const chars = [...alphabet];
		return Array.from({ length: r.int(lo, hi) }, () => r.pick(chars)).join('');
	};
	type Fn = 'name' | 'phone' | 'idNo' | 'cardNo';
	const many = (fn: Fn, value: () => string) => Array.from({ length: 40 }, () => ({ fn, v: value() }));
	const cases: { fn: Fn; v: string }[] = [
		...['', '张', '王佳', '张李文', '欧阳小明', '𠀋佳'].map((v) => ({ fn: 'name' as const, v })),
		...many('name', () => text(han + 'abc', 1, 12)),
		...many('phone', () => text('0123456789', 0, 13)),
		...many('idNo', () => text('0123456789X', 0, 20)),
		...many('cardNo', () => text('0123456789', 0, 19))
	];
	const js = { name: maskName, phone: maskPhone, idNo: maskIdNo, cardNo: maskCardNo };
	const inSql = { name: maskNameSql, phone: maskPhoneSql, idNo: maskIdNoSql, cardNo: maskCardNoSql };

	it('on fixed and random values, and on NULL', async () => {
		for (const c of cases) {
			const expr = inSql[c.fn]('v');
			const got = await sql<{ m: string }>`SELECT ${sql.raw(expr)} AS m FROM (SELECT ${c.v}::text AS v) t`.execute(db);
			expect({ ...c, m: got.rows[0].m }).toEqual({ ...c, m: js[c.fn](c.v) });
		}
		for (const f of ['name', 'phone', 'idNo', 'cardNo'] as const) {
			const got = await sql<{ m: string }>`SELECT ${sql.raw(inSql[f]('v'))} AS m FROM (SELECT NULL::text AS v) t`.execute(db);
			expect(got.rows[0].m).toBe('');
		}
	});
});
