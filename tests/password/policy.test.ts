// Password rules (shared with the browser) and the generated initial passwords.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changePasswordSchema, passwordRuleChecks, resetPasswordSchema } from '#shared/schemas/password.ts';
import { generateInitialPassword, passwordProblems } from '#shared/server/auth/password-policy.ts';

const phone = '13912345678';

describe('passwordProblems', () => {
	it.each([
		['abc123', ['password.rule.length']],
		['abcdefgh', ['password.rule.lettersAndDigits']],
		['12345678', ['password.rule.lettersAndDigits']],
		[`a${'1'.repeat(32)}`, ['password.rule.length']],
		[phone, ['password.rule.lettersAndDigits', 'password.rule.notPhone']],
		[`x${phone}`, ['password.rule.notPhone']],
		['Good2026pass', []],
		[`a1${'b'.repeat(30)}`, []]
	])('%s → %j', (pw, expected) => {
		expect(passwordProblems(pw, { phone })).toEqual(expected);
	});

	it('refuses the old password only when the old one is known', () => {
		expect(passwordProblems('Same2026pass', { phone, oldPassword: 'Same2026pass' })).toEqual(['password.rule.notOld']);
		expect(passwordProblems('Same2026pass', { phone, oldPassword: 'Other2026pass' })).toEqual([]);
		expect(passwordProblems('Same2026pass', { phone })).toEqual([]);
	});

	it('the live checklist marks each rule', () => {
		expect(passwordRuleChecks('', phone).map((c) => c.ok)).toEqual([false, false, false]);
		expect(passwordRuleChecks('abc1', phone).map((c) => c.ok)).toEqual([false, true, true]);
	});
});

describe('form schemas', () => {
	it('change: new passwords must match and follow the rules', () => {
		const bad = changePasswordSchema.safeParse({ oldPassword: 'x', newPassword: 'short', confirmPassword: 'other' });
		expect(bad.success).toBe(false);
		const msgs = bad.error!.issues.map((i) => `${i.path.join('.')}:${i.message}`);
		expect(msgs).toContain('newPassword:password.rule.length');
		expect(msgs).toContain('confirmPassword:password.mismatch');
		expect(changePasswordSchema.safeParse({ oldPassword: 'x', newPassword: 'Good2026pass', confirmPassword: 'Good2026pass' }).success).toBe(true);
		expect(changePasswordSchema.safeParse({ oldPassword: '', newPassword: 'Good2026pass', confirmPassword: 'Good2026pass' }).success).toBe(false);
	});

	it('reset: knows the phone, so refuses a password containing it', () => {
		const r = resetPasswordSchema.safeParse({ merchantNo: '1234567890123456', phone, code: '123456', newPassword: `a${phone}`, confirmPassword: `a${phone}` });
		expect(r.success).toBe(false);
		expect(r.error!.issues[0]!.message).toBe('password.rule.notPhone');
		expect(resetPasswordSchema.safeParse({ merchantNo: '1234567890123456', phone, code: '12345', newPassword: 'Good2026pass', confirmPassword: 'Good2026pass' }).success).toBe(false);
	});
});

describe('generateInitialPassword', () => {
	it('is 10 characters, mixed classes, no look-alikes, and passes the rules for any phone', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^1[0-9]{10}$/), (p) => {
				const pw = generateInitialPassword();
				expect(pw).toHaveLength(10);
				expect(pw).toMatch(/[A-Z]/);
				expect(pw).toMatch(/[a-z]/);
				expect(pw).toMatch(/[0-9]/);
				expect(pw).not.toMatch(/[0O1lIo]/);
				expect(passwordProblems(pw, { phone: p })).toEqual([]);
			}),
			{ numRuns: 300 }
		);
	});

	it('does not repeat', () => {
		const seen = new Set(Array.from({ length: 2000 }, generateInitialPassword));
		expect(seen.size).toBe(2000);
	});
});
