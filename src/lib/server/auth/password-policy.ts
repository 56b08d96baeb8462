// What a password must be, and the initial passwords the system generates (SPEC §1).
import { randomInt } from 'node:crypto';
import type { MessageKey } from '#shared/i18n/messages.ts';
import { passwordRuleProblems } from '#shared/schemas/password.ts';

export { passwordRuleChecks, passwordRuleProblems, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '#shared/schemas/password.ts';

/**
 * Every broken rule, as message keys: 8–32 characters, letters and digits, not the phone number
 * nor containing it, and (when the old password is known) not the same as the old one.
 */
export function passwordProblems(password: string, opts: { phone: string; oldPassword?: string }): MessageKey[] {
	const problems = passwordRuleProblems(password, opts.phone);
	if (opts.oldPassword !== undefined && password === opts.oldPassword) problems.push('password.rule.notOld');
	return problems;
}

// Without the look-alikes 0/O/o, 1/l/I: the password is read off a phone screen and typed in.
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnpqrstuvwxyz';
const DIGITS = '23456789';
const ALL = UPPER + LOWER + DIGITS;
const INITIAL_LENGTH = 10;

/** A random 10-character password with upper case, lower case and digits (crypto random). */
export function generateInitialPassword(): string {
	const chars = [pick(UPPER), pick(LOWER), pick(DIGITS)];
	while (chars.length < INITIAL_LENGTH) chars.push(pick(ALL));
	// Fisher–Yates, so the guaranteed classes are not always in front.
	for (let i = chars.length - 1; i > 0; i--) {
		const j = randomInt(i + 1);
		[chars[i], chars[j]] = [chars[j]!, chars[i]!];
	}
	return chars.join('');
}

function pick(alphabet: string): string {
	return alphabet[randomInt(alphabet.length)]!;
}
