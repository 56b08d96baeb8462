// The second factor: TOTP (RFC 6238, 30-second steps, 6 digits, SHA-1 as every authenticator
// app expects) or one of the person's recovery codes. The TOTP key is kept as a SecretBox
// under the KEK (crypto/secrets.ts), bound to its person. A code is accepted only for a time
// step later than the last accepted one (staff.totp_last_counter, moved in one conditional
// UPDATE), so a code cannot be used twice, not even by two requests racing each other.
// Callers reserve an attempt (throttle.ts) before calling checkSecondFactor.
import { generateHOTP } from '@oslojs/otp';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { Db } from '#db';
import { decryptSecret, encryptSecret, isSecretBox, type SecretBox, type SecretOwner } from '../crypto/secrets.ts';
import { consumeRecoveryCode, normalizeRecoveryCode } from './recovery-codes.ts';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still count: a phone clock a little off, a code typed late. */
const GRACE_STEPS = 1;

export type SecondFactorCode = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string };

/** What the person typed, as a TOTP code (6 digits) or a recovery code; null when it is neither. */
export function parseSecondFactorCode(input: string): SecondFactorCode | null {
	const compact = input.replace(/[\s-]/g, '');
	if (/^[0-9]{6}$/.test(compact)) return { kind: 'totp', code: compact };
	const recovery = normalizeRecoveryCode(input);
	return recovery ? { kind: 'recovery', code: recovery } : null;
}

/** The owner a person's TOTP key is bound to: a box copied to another person does not open. */
export function totpOwner(merchantId: bigint, staffId: bigint, field: 'totp' | 'totpPending'): SecretOwner {
	return { merchantId, scope: `staff:${staffId}`, field };
}

export function newTotpKey(): Uint8Array {
	return crypto.getRandomValues(new Uint8Array(20));
}

export function sealTotpKey(key: Uint8Array, owner: SecretOwner): SecretBox {
	return encryptSecret(Buffer.from(key), owner);
}

export function openTotpKey(box: unknown, owner: SecretOwner): Uint8Array | null {
	if (!isSecretBox(box)) return null;
	return new Uint8Array(decryptSecret(box, owner));
}

export function timeStep(at: number = Date.now()): bigint {
	return BigInt(Math.floor(at / (TOTP_PERIOD_SECONDS * 1000)));
}

/** The time step whose code `code` is, within the grace window around `at`; null when none. */
export function matchingStep(key: Uint8Array, code: string, at: number = Date.now()): bigint | null {
	const now = timeStep(at);
	const typed = new TextEncoder().encode(code);
	let found: bigint | null = null;
	// Every candidate is computed and compared, so the time taken does not say which one matched.
	for (let step = now - BigInt(GRACE_STEPS); step <= now + BigInt(GRACE_STEPS); step++) {
		const expected = new TextEncoder().encode(generateHOTP(key, step, TOTP_DIGITS));
		if (expected.length === typed.length && constantTimeEqual(expected, typed) && found === null) found = step;
	}
	return found;
}

/** Moves the person's last accepted step forward to `step`; false when it was not later (a replay). */
export async function acceptStep(db: Db, staffId: bigint, step: bigint): Promise<boolean> {
	const r = await db
		.updateTable('staff')
		.set({ totp_last_counter: step })
		.where('id', '=', staffId)
		.where((eb) => eb.or([eb('totp_last_counter', 'is', null), eb('totp_last_counter', '<', step)]))
		.executeTakeFirst();
	return r.numUpdatedRows > 0n;
}

export type SecondFactorCheck =
	| { ok: true; method: 'totp' | 'recovery'; recoveryCodesLeft?: number }
	/** Wrong code, malformed input, or no second factor to check against: all read alike. */
	| { ok: false; reason: 'badCode' }
	/** The right code for a step already used (or a recovery code already spent). */
	| { ok: false; reason: 'codeReplayed' };

/**
 * Checks a code against the person's second factor and uses it up. The caller has reserved an
 * attempt already; never call this inside a transaction (a recovery code is argon2-checked).
 */
export async function checkSecondFactor(db: Db, who: { staffId: bigint; merchantId: bigint }, input: string): Promise<SecondFactorCheck> {
	const parsed = parseSecondFactorCode(input);
	if (!parsed) return { ok: false, reason: 'badCode' };
	const staff = await db
		.selectFrom('staff')
		.select(['totp_secret'])
		.where('id', '=', who.staffId)
		.where('merchant_id', '=', who.merchantId)
		.executeTakeFirst();
	if (!staff?.totp_secret) return { ok: false, reason: 'badCode' };
	if (parsed.kind === 'recovery') {
		const used = await consumeRecoveryCode(db, who.staffId, parsed.code);
		return used.ok ? { ok: true, method: 'recovery', recoveryCodesLeft: used.left } : { ok: false, reason: used.reason };
	}
	const key = openTotpKey(staff.totp_secret, totpOwner(who.merchantId, who.staffId, 'totp'));
	const step = key && matchingStep(key, parsed.code);
	if (step == null) return { ok: false, reason: 'badCode' };
	if (!(await acceptStep(db, who.staffId, step))) return { ok: false, reason: 'codeReplayed' };
	return { ok: true, method: 'totp' };
}
