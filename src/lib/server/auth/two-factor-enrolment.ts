// 设置 → 二次验证 for oneself: enrol (a key shown as a QR code and as text, confirmed by a first
// code), new recovery codes, switching it off. Enrolling ends the person's other sessions: they
// were opened with the password alone.
import { createTOTPKeyURI } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { renderSVG } from 'uqr';
import type { Kysely, Transaction } from 'kysely';
import type { DB, Db } from '#db';
import { writeAudit } from '../audit.ts';
import { generateRecoveryCodes, recoveryCodesLeft, replaceRecoveryCodes } from './recovery-codes.ts';
import { reserveCodeAttempt, settleRightCode } from './second-factor-sign-in.ts';
import { invalidateStaffSessions } from './session.ts';
import { giveBack } from './throttle.ts';
import { checkSecondFactor, matchingStep, newTotpKey, openTotpKey, sealTotpKey, TOTP_DIGITS, TOTP_PERIOD_SECONDS, totpOwner } from './two-factor.ts';
import type { RequestOrigin, SessionContext } from './types.ts';

/** How long a started enrolment waits for its first code. */
const ENROLMENT_MS = 15 * 60_000;
const ISSUER = '商户站';

export interface TwoFactorStatus {
	enabled: boolean;
	enabledAt: Date | null;
	recoveryCodesLeft: number;
	/** The merchant requires two-factor for everyone: it cannot be switched off. */
	required: boolean;
}

export async function twoFactorStatus(db: Db, auth: SessionContext): Promise<TwoFactorStatus> {
	const row = await db
		.selectFrom('staff as s')
		.innerJoin('merchants as m', 'm.id', 's.merchant_id')
		.select(['s.totp_enabled_at', 'm.require_two_factor'])
		.where('s.id', '=', auth.staff.id)
		.where('s.merchant_id', '=', auth.staff.merchantId)
		.executeTakeFirstOrThrow();
	return {
		enabled: row.totp_enabled_at !== null,
		enabledAt: row.totp_enabled_at,
		recoveryCodesLeft: row.totp_enabled_at ? await recoveryCodesLeft(db, auth.staff.id) : 0,
		required: row.require_two_factor
	};
}

export type StartEnrolmentResult =
	| { ok: true; secret: string; uri: string; qrSvg: string; expiresAt: Date }
	| { ok: false; reason: 'alreadyEnabled' };

/** A new key, kept (encrypted) as pending until a first code confirms the person's app has it. */
export async function startEnrolment(db: Db, auth: SessionContext): Promise<StartEnrolmentResult> {
	const key = newTotpKey();
	const expiresAt = new Date(Date.now() + ENROLMENT_MS);
	const r = await db
		.updateTable('staff')
		.set({ totp_pending_secret: JSON.stringify(sealTotpKey(key, totpOwner(auth.staff.merchantId, auth.staff.id, 'totpPending'))), totp_pending_expires_at: expiresAt })
		.where('id', '=', auth.staff.id)
		.where('merchant_id', '=', auth.staff.merchantId)
		.where('totp_secret', 'is', null)
		.executeTakeFirst();
	if (r.numUpdatedRows === 0n) return { ok: false, reason: 'alreadyEnabled' };
	const uri = createTOTPKeyURI(ISSUER, `${auth.staff.merchantNo} ${auth.staff.name}`, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
	return { ok: true, secret: encodeBase32UpperCaseNoPadding(key), uri, qrSvg: renderSVG(uri, { border: 2 }), expiresAt };
}

export type CodeRefusal =
	| { ok: false; reason: 'badCode' | 'codeReplayed' }
	| { ok: false; reason: 'locked'; lockedUntil: Date }
	| { ok: false; reason: 'ipThrottled'; retryAfter: Date };

export type ConfirmEnrolmentResult = { ok: true; recoveryCodes: string[] } | { ok: false; reason: 'notStarted' } | CodeRefusal;

/** The first code from the app: two-factor is on, ten recovery codes are made and returned once. */
export async function confirmEnrolment(db: Db, auth: SessionContext, code: string, origin: RequestOrigin): Promise<ConfirmEnrolmentResult> {
	const staff = await db
		.selectFrom('staff')
		.select(['totp_pending_secret', 'totp_pending_expires_at', 'totp_secret'])
		.where('id', '=', auth.staff.id)
		.where('merchant_id', '=', auth.staff.merchantId)
		.executeTakeFirstOrThrow();
	if (staff.totp_secret || !staff.totp_pending_secret || !staff.totp_pending_expires_at || staff.totp_pending_expires_at.getTime() <= Date.now())
		return { ok: false, reason: 'notStarted' };

	const reserved = await reserveCodeAttempt(db, auth.staff.id, origin);
	if (!reserved.ok) return reserved;
	const pendingOwner = totpOwner(auth.staff.merchantId, auth.staff.id, 'totpPending');
	const key = openTotpKey(staff.totp_pending_secret, pendingOwner);
	const step = key && matchingStep(key, code.replace(/\s/g, ''));
	if (!key || step == null) return reserved.last && reserved.lockedUntil ? { ok: false, reason: 'locked', lockedUntil: reserved.lockedUntil } : { ok: false, reason: 'badCode' };
	await settleRightCode(db, reserved.keys);

	const { codes, hashes } = await generateRecoveryCodes();
	const now = new Date();
	const enabled = await db.transaction().execute(async (tx) => {
		const r = await tx
			.updateTable('staff')
			.set({
				totp_secret: JSON.stringify(sealTotpKey(key, totpOwner(auth.staff.merchantId, auth.staff.id, 'totp'))),
				totp_enabled_at: now,
				// The confirming code is used: it cannot also sign in.
				totp_last_counter: step,
				totp_pending_secret: null,
				totp_pending_expires_at: null,
				updated_at: now
			})
			.where('id', '=', auth.staff.id)
			.where('merchant_id', '=', auth.staff.merchantId)
			.where('totp_secret', 'is', null)
			.executeTakeFirst();
		if (r.numUpdatedRows === 0n) return false;
		await replaceRecoveryCodes(tx, auth.staff.id, hashes);
		await invalidateStaffSessions(tx, auth.staff.id, auth.sessionId);
		await tx.updateTable('sessions').set({ verified_at: now }).where('id', '=', auth.sessionId).execute();
		await writeAudit(tx, {
			merchantId: auth.staff.merchantId,
			staffId: auth.staff.id,
			actorName: auth.staff.name,
			action: 'twoFactor.enable',
			targetType: 'staff',
			targetId: auth.staff.id,
			detail: { otherSessionsEnded: true },
			ip: origin.ip,
			userAgent: origin.userAgent
		});
		return true;
	});
	if (!enabled) return { ok: false, reason: 'notStarted' };
	return { ok: true, recoveryCodes: codes };
}

/** Ten new recovery codes; the old ones stop working. */
export async function regenerateRecoveryCodes(db: Db, auth: SessionContext, origin: RequestOrigin): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; reason: 'notEnabled' }> {
	// Checked before hashing ten codes for nothing, and again under the row lock.
	if (!(await twoFactorStatus(db, auth)).enabled) return { ok: false, reason: 'notEnabled' };
	const { codes, hashes } = await generateRecoveryCodes();
	const done = await db.transaction().execute(async (tx) => {
		const staff = await tx
			.selectFrom('staff')
			.select('totp_enabled_at')
			.where('id', '=', auth.staff.id)
			.where('merchant_id', '=', auth.staff.merchantId)
			.forUpdate()
			.executeTakeFirstOrThrow();
		if (!staff.totp_enabled_at) return false;
		await replaceRecoveryCodes(tx, auth.staff.id, hashes);
		await writeAudit(tx, {
			merchantId: auth.staff.merchantId,
			staffId: auth.staff.id,
			actorName: auth.staff.name,
			action: 'twoFactor.recoveryCodesRegenerated',
			targetType: 'staff',
			targetId: auth.staff.id,
			ip: origin.ip,
			userAgent: origin.userAgent
		});
		return true;
	});
	return done ? { ok: true, recoveryCodes: codes } : { ok: false, reason: 'notEnabled' };
}

export type DisableResult = { ok: true } | { ok: false; reason: 'notEnabled' } | { ok: false; reason: 'required' } | CodeRefusal;

/** Switches one's own second factor off with a current code; refused while the merchant requires it. */
export async function disableTwoFactor(db: Db, auth: SessionContext, code: string, origin: RequestOrigin): Promise<DisableResult> {
	const status = await twoFactorStatus(db, auth);
	if (!status.enabled) return { ok: false, reason: 'notEnabled' };
	if (status.required) return { ok: false, reason: 'required' };
	const reserved = await reserveCodeAttempt(db, auth.staff.id, origin);
	if (!reserved.ok) return reserved;
	let check;
	try {
		check = await checkSecondFactor(db, { staffId: auth.staff.id, merchantId: auth.staff.merchantId }, code);
	} catch (error) {
		await Promise.all(reserved.keys.map((k) => giveBack(db, k)));
		throw error;
	}
	if (!check.ok) return reserved.last && reserved.lockedUntil ? { ok: false, reason: 'locked', lockedUntil: reserved.lockedUntil } : check;
	await settleRightCode(db, reserved.keys);
	await db.transaction().execute(async (tx) => {
		await clearSecondFactor(tx, auth.staff.id);
		await writeAudit(tx, {
			merchantId: auth.staff.merchantId,
			staffId: auth.staff.id,
			actorName: auth.staff.name,
			action: 'twoFactor.disable',
			targetType: 'staff',
			targetId: auth.staff.id,
			ip: origin.ip,
			userAgent: origin.userAgent
		});
	});
	return { ok: true };
}

/** Forgets a person's second factor entirely (key, pending enrolment, last step, recovery codes). */
export async function clearSecondFactor(tx: Kysely<DB> | Transaction<DB>, staffId: bigint): Promise<void> {
	await tx
		.updateTable('staff')
		.set({ totp_secret: null, totp_enabled_at: null, totp_last_counter: null, totp_pending_secret: null, totp_pending_expires_at: null, updated_at: new Date() })
		.where('id', '=', staffId)
		.execute();
	await replaceRecoveryCodes(tx, staffId, []);
}
