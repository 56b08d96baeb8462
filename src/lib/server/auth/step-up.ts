// Step-up: procedures that hand out access or change payment keys (their `.meta({ stepUp: true })`)
// need the person to have proved who they are within the last STEP_UP_WINDOW_MS in this session:
// the sign-in itself, or the password or a code entered again. `sessions.verified_at` keeps when.
// Password and code checks reserve an attempt first, like sign-in (throttle.ts).
import type { Db } from '#db';
import { writeAudit } from '../audit.ts';
import { loginLockMs, loginMaxFailures } from './config.ts';
import { verifyPassword } from './password.ts';
import { reserveCodeAttempt, settleRightCode } from './second-factor-sign-in.ts';
import { clear, giveBack, take, throttleKeys } from './throttle.ts';
import { checkSecondFactor } from './two-factor.ts';
import type { RequestOrigin, SessionContext } from './types.ts';

export const STEP_UP_WINDOW_MS = 5 * 60_000;

/** Whether the session proved its person recently enough for a step-up procedure. */
export function recentlyVerified(auth: Pick<SessionContext, 'verifiedAt'>, now: number = Date.now()): boolean {
	const at = auth.verifiedAt?.getTime();
	return at !== undefined && now - at < STEP_UP_WINDOW_MS && at <= now + 60_000;
}

export type StepUpResult =
	| { ok: true; verifiedAt: Date }
	| { ok: false; reason: 'wrongPassword' | 'badCode' | 'codeReplayed' }
	| { ok: false; reason: 'locked'; lockedUntil: Date }
	| { ok: false; reason: 'ipThrottled'; retryAfter: Date };

/** Checks the password or a second-factor code again and, if right, marks the session verified now. */
export async function stepUp(db: Db, auth: SessionContext, proof: { password: string } | { code: string }, origin: RequestOrigin): Promise<StepUpResult> {
	const audit = (action: 'auth.stepUp' | 'auth.stepUpFailed', detail: Record<string, unknown>) =>
		writeAudit(db, {
			merchantId: auth.staff.merchantId,
			staffId: auth.staff.id,
			actorName: auth.staff.name,
			action,
			targetType: 'staff',
			targetId: auth.staff.id,
			detail,
			ip: origin.ip,
			userAgent: origin.userAgent
		});

	if ('password' in proof) {
		const key = throttleKeys.stepUpPassword(auth.staff.id);
		const attempt = await take(db, key, { max: loginMaxFailures(), windowMs: loginLockMs() });
		if (!attempt.allowed) return { ok: false, reason: 'locked', lockedUntil: attempt.retryAt };
		const staff = await db.selectFrom('staff').select('password_hash').where('id', '=', auth.staff.id).where('merchant_id', '=', auth.staff.merchantId).executeTakeFirstOrThrow();
		let right: boolean;
		try {
			right = await verifyPassword(staff.password_hash, proof.password);
		} catch (error) {
			await giveBack(db, key);
			throw error;
		}
		if (!right) {
			await audit('auth.stepUpFailed', { method: 'password' });
			return attempt.remaining === 0 && attempt.retryAt ? { ok: false, reason: 'locked', lockedUntil: attempt.retryAt } : { ok: false, reason: 'wrongPassword' };
		}
		await clear(db, key);
	} else {
		const reserved = await reserveCodeAttempt(db, auth.staff.id, origin);
		if (!reserved.ok) return reserved;
		let check;
		try {
			check = await checkSecondFactor(db, { staffId: auth.staff.id, merchantId: auth.staff.merchantId }, proof.code);
		} catch (error) {
			await Promise.all(reserved.keys.map((k) => giveBack(db, k)));
			throw error;
		}
		if (!check.ok) {
			await audit('auth.stepUpFailed', { method: 'code', reason: check.reason });
			return reserved.last && reserved.lockedUntil ? { ok: false, reason: 'locked', lockedUntil: reserved.lockedUntil } : { ok: false, reason: check.reason };
		}
		await settleRightCode(db, reserved.keys);
	}
	const verifiedAt = new Date();
	await db.updateTable('sessions').set({ verified_at: verifiedAt }).where('id', '=', auth.sessionId).where('staff_id', '=', auth.staff.id).execute();
	await audit('auth.stepUp', { method: 'password' in proof ? 'password' : 'code' });
	return { ok: true, verifiedAt };
}
