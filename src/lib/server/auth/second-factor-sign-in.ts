// The second step of sign-in: the password was right (the session is pending), now the code.
// Each code is an attempt reserved before it is checked, against the same per-address limit as
// passwords and a per-person limit of its own, so a stolen password buys LOGIN_MAX_FAILURES
// code guesses per LOGIN_LOCK_MINUTES, however the guesses are batched or spread.
import type { Db } from '#db';
import { writeAudit } from '../audit.ts';
import { loginIpMaxFailures, loginIpWindowMs, loginLockMs, loginMaxFailures } from './config.ts';
import { createSession, invalidateSession, type PendingSignIn, type Session } from './session.ts';
import { alertOnNewDevice, newDeviceCheck } from './sign-in-alerts.ts';
import { writeSignInLog } from './sign-in-log.ts';
import { clear, giveBack, take, throttleKeys } from './throttle.ts';
import { checkSecondFactor } from './two-factor.ts';
import type { RequestOrigin } from './types.ts';

export type SecondFactorSignInResult =
	| { ok: true; token: string; session: Session; mustChangePassword: boolean }
	| { ok: false; reason: 'badCode' | 'codeReplayed' }
	| { ok: false; reason: 'locked'; lockedUntil: Date }
	| { ok: false; reason: 'ipThrottled'; retryAfter: Date };

/** Reserves one code attempt for the person (and the address); refused when either is used up. */
export async function reserveCodeAttempt(
	db: Db,
	staffId: bigint,
	origin: RequestOrigin
): Promise<{ ok: true; keys: string[]; last: boolean; lockedUntil: Date | null } | { ok: false; reason: 'locked'; lockedUntil: Date } | { ok: false; reason: 'ipThrottled'; retryAfter: Date }> {
	const addressKey = throttleKeys.signInAddress(origin.ip?.slice(0, 100) || 'unknown');
	const personKey = throttleKeys.secondFactor(staffId);
	const byAddress = await take(db, addressKey, { max: loginIpMaxFailures(), windowMs: loginIpWindowMs() });
	if (!byAddress.allowed) return { ok: false, reason: 'ipThrottled', retryAfter: byAddress.retryAt };
	const byPerson = await take(db, personKey, { max: loginMaxFailures(), windowMs: loginLockMs() });
	if (!byPerson.allowed) {
		await giveBack(db, addressKey);
		return { ok: false, reason: 'locked', lockedUntil: byPerson.retryAt };
	}
	return { ok: true, keys: [addressKey, personKey], last: byPerson.remaining === 0, lockedUntil: byPerson.retryAt };
}

/** A right code: the address gets its attempt back, the person's count starts over. */
export async function settleRightCode(db: Db, keys: string[]): Promise<void> {
	const [addressKey, personKey] = keys;
	await Promise.all([giveBack(db, addressKey), clear(db, personKey)]);
}

export async function completeSecondFactorSignIn(db: Db, pending: PendingSignIn, code: string, origin: RequestOrigin): Promise<SecondFactorSignInResult> {
	const reserved = await reserveCodeAttempt(db, pending.staffId, origin);
	if (!reserved.ok) return reserved;
	const log = (ok: boolean, reason: string | null) =>
		writeSignInLog(db, { merchantId: pending.merchantId, staffId: pending.staffId, event: 'secondFactor', ok, reason, phone: pending.phone }, origin);

	let check;
	try {
		check = await checkSecondFactor(db, { staffId: pending.staffId, merchantId: pending.merchantId }, code);
	} catch (error) {
		// Never checked (the hashing gate was full): no attempt used.
		await Promise.all(reserved.keys.map((k) => giveBack(db, k)));
		throw error;
	}
	if (!check.ok) {
		await log(false, check.reason);
		return reserved.last && reserved.lockedUntil ? { ok: false, reason: 'locked', lockedUntil: reserved.lockedUntil } : { ok: false, reason: check.reason };
	}
	await settleRightCode(db, reserved.keys);

	// The half session is replaced by a new one (a new token): nothing learned about the pending
	// token is worth anything once the person is fully signed in.
	await invalidateSession(db, pending.sessionId);
	const { token, session } = await createSession(db, pending.staffId, origin);
	const newDevice = await newDeviceCheck(db, pending.staffId, origin);
	await log(true, check.method === 'recovery' ? 'recoveryCode' : null);
	if (newDevice) await alertOnNewDevice(db, { merchantId: pending.merchantId, staffId: pending.staffId, phone: pending.phone }, newDevice, origin);
	const staff = await db.selectFrom('staff').select('must_change_password').where('id', '=', pending.staffId).executeTakeFirstOrThrow();
	if (check.method === 'recovery')
		await writeAudit(db, {
			merchantId: pending.merchantId,
			staffId: pending.staffId,
			actorName: pending.name,
			action: 'twoFactor.recoveryCodeUsed',
			targetType: 'staff',
			targetId: pending.staffId,
			detail: { recoveryCodesLeft: check.recoveryCodesLeft ?? 0 },
			ip: origin.ip,
			userAgent: origin.userAgent
		});
	return { ok: true, token, session, mustChangePassword: staff.must_change_password };
}

/** 返回 from the code step: the half session ends. */
export async function abandonSecondFactorSignIn(db: Db, pending: PendingSignIn): Promise<void> {
	await invalidateSession(db, pending.sessionId);
}
