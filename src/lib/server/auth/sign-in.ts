// Sign-in with 商户号 + 手机号 + 登录密码. Every check of a password first reserves an attempt
// (throttle.ts), per client address and per account-from-that-address, so a batch or a burst of
// parallel guesses gets exactly as many checks as the limits allow. Attempts go to the sign-in
// log, not the audit log.
//
// Lockout: five wrong passwords for one account FROM ONE ADDRESS lock that account for that
// address only, so a stranger who knows an admin's phone locks out only themselves. Across all
// addresses an account locks for everyone after LOGIN_ACCOUNT_MAX_FAILURES (20): guessing from
// many addresses stops too; the owner gets back in by 找回密码 (an SMS code proves the phone)
// or the admin's 解锁.
import { sql } from 'kysely';
import type { Db } from '#db';
import { metrics, throttledSignIn } from '../metrics.ts';
import { addressAllowed } from './allow-list.ts';
import { loginAccountMaxFailures, loginIpMaxFailures, loginIpWindowMs, loginLockMs, loginMaxFailures } from './config.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';
import { createSession, type Session } from './session.ts';
import { alertOnNewDevice, newDeviceCheck } from './sign-in-alerts.ts';
import { writeSignInLog } from './sign-in-log.ts';
import { clear, giveBack, take, throttleKeys } from './throttle.ts';
import type { RequestOrigin } from './types.ts';

export interface SignInInput {
	merchantNo: string;
	phone: string;
	password: string;
}

export type SignInResult =
	| {
			ok: true;
			token: string;
			session: Session;
			staff: { id: bigint; merchantId: bigint; name: string; mustChangePassword: boolean };
			/** The password was right; the session is only good for the second factor's code. */
			secondFactorPending: boolean;
	  }
	/** Unknown merchant, unknown phone and wrong password look exactly alike. */
	| { ok: false; reason: 'invalidCredentials' }
	| { ok: false; reason: 'locked'; lockedUntil: Date }
	/** Too many sign-ins from this client address, whichever accounts they named. */
	| { ok: false; reason: 'ipThrottled'; retryAfter: Date }
	| { ok: false; reason: 'staffDisabled' | 'merchantSuspended' }
	/** The merchant's address allow-list does not hold this client address (checked before the password). */
	| { ok: false; reason: 'addressNotAllowed'; address: string };

export type SignInFailure = Exclude<SignInResult, { ok: true }>;

/** The catalogue key that tells the person why sign-in failed. */
export function signInFailureMessage<R extends SignInFailure['reason']>(reason: R): `auth.${R}` {
	return `auth.${reason}`;
}

interface AccountRow {
	merchant_id: bigint;
	merchant_status: 'ACTIVE' | 'SUSPENDED';
	staff_id: bigint | null;
	name: string | null;
	password_hash: string | null;
	status: 'ACTIVE' | 'DISABLED' | null;
	must_change_password: boolean | null;
	totp_enabled: boolean | null;
	sign_in_allow_list: string[];
}

function findAccount(db: Db, input: SignInInput): Promise<AccountRow | undefined> {
	// The merchant number picks the account: the same phone may exist under two merchants.
	// A deleted operator is no account at all: refused exactly like an unknown phone.
	return db
		.selectFrom('merchants as m')
		.leftJoin('staff as s', (j) => j.onRef('s.merchant_id', '=', 'm.id').on('s.phone', '=', input.phone).on('s.deleted_at', 'is', null))
		.select(['m.id as merchant_id', 'm.status as merchant_status', 'm.sign_in_allow_list', 's.id as staff_id', 's.name', 's.password_hash', 's.status', 's.must_change_password'])
		.select((eb) => eb('s.totp_enabled_at', 'is not', null).as('totp_enabled'))
		.where('m.merchant_no', '=', input.merchantNo)
		.executeTakeFirst() as Promise<AccountRow | undefined>;
}

export async function signIn(db: Db, input: SignInInput, origin: RequestOrigin): Promise<SignInResult> {
	const ip = origin.ip?.slice(0, 100) || 'unknown';
	const addressKey = throttleKeys.signInAddress(ip);
	const accountKey = throttleKeys.signInAccountFrom(input.merchantNo, input.phone, ip);

	// Reserved before anything is checked; a refusal spends no hashing and says nothing about
	// the account (an unknown phone locks exactly like a real one).
	const byAddress = await take(db, addressKey, { max: loginIpMaxFailures(), windowMs: loginIpWindowMs() });
	if (!byAddress.allowed) return throttledSignIn({ ok: false, reason: 'ipThrottled', retryAfter: byAddress.retryAt });
	const byAccount = await take(db, accountKey, { max: loginMaxFailures(), windowMs: loginLockMs() });
	if (!byAccount.allowed) {
		await giveBack(db, addressKey);
		return throttledSignIn({ ok: false, reason: 'locked', lockedUntil: byAccount.retryAt });
	}

	// A check that never ran (the hashing gate was full) must not use up anyone's attempts.
	const unlessBusy = async <T>(check: () => Promise<T>): Promise<T> => {
		try {
			return await check();
		} catch (error) {
			await Promise.all([giveBack(db, addressKey), giveBack(db, accountKey)]);
			throw error;
		}
	};

	const account = await findAccount(db, input);
	const log = (ok: boolean, reason: string | null) => {
		if (!ok) metrics.signInFailures.inc({ reason: reason ?? 'unknown' });
		return writeSignInLog(db, { merchantId: account?.merchant_id ?? null, staffId: account?.staff_id ?? null, event: 'signIn', ok, reason, phone: input.phone }, origin);
	};

	// The merchant's allow-list comes before any password check: a refused address hashes nothing.
	// Its attempt still counts against the address (that bounds the log rows it writes).
	if (account && !addressAllowed(account.sign_in_allow_list, origin.ip)) {
		await giveBack(db, accountKey);
		await log(false, 'addressNotAllowed');
		return { ok: false, reason: 'addressNotAllowed', address: origin.ip ?? '' };
	}

	if (!account || account.staff_id === null || account.password_hash === null) {
		await unlessBusy(() => verifyAgainstDummy(input.password));
		await log(false, account ? 'unknownPhone' : 'unknownMerchant');
		return byAccount.remaining === 0 ? { ok: false, reason: 'locked', lockedUntil: byAccount.retryAt! } : { ok: false, reason: 'invalidCredentials' };
	}
	const staffId = account.staff_id;

	const accountWide = await reserveAccountAttempt(db, staffId);
	if (!accountWide.allowed) {
		await Promise.all([giveBack(db, addressKey), giveBack(db, accountKey)]);
		return throttledSignIn({ ok: false, reason: 'locked', lockedUntil: accountWide.lockedUntil });
	}

	const passwordHash = account.password_hash;
	if (!(await unlessBusy(() => verifyPassword(passwordHash, input.password)))) {
		const lockedUntil = byAccount.remaining === 0 ? byAccount.retryAt : accountWide.lockedUntil;
		await log(false, lockedUntil ? 'badPasswordLocked' : 'badPassword');
		return lockedUntil ? { ok: false, reason: 'locked', lockedUntil } : { ok: false, reason: 'invalidCredentials' };
	}

	// The password was right: this attempt was no guess, so it counts against nothing.
	await Promise.all([
		giveBack(db, addressKey),
		clear(db, accountKey),
		db.updateTable('staff').set({ failed_attempts: 0, locked_until: null }).where('id', '=', staffId).execute()
	]);

	// Only someone who knows the password learns that the account or merchant is switched off.
	if (account.status !== 'ACTIVE') {
		await log(false, 'staffDisabled');
		return { ok: false, reason: 'staffDisabled' };
	}
	if (account.merchant_status !== 'ACTIVE') {
		await log(false, 'merchantSuspended');
		return { ok: false, reason: 'merchantSuspended' };
	}

	// With a second factor the password opens only a half session: the code comes next.
	const secondFactorPending = account.totp_enabled === true;
	const { token, session } = await createSession(db, staffId, origin, { secondFactorPending });
	// A sign-in complete with the password alone may be from a new device (the code step checks its own).
	const newDevice = secondFactorPending ? null : await newDeviceCheck(db, staffId, origin);
	await log(true, secondFactorPending ? 'secondFactorPending' : null);
	if (newDevice) await alertOnNewDevice(db, { merchantId: account.merchant_id, staffId, phone: input.phone }, newDevice, origin);
	return {
		ok: true,
		token,
		session,
		secondFactorPending,
		staff: {
			id: staffId,
			merchantId: account.merchant_id,
			name: account.name ?? '',
			mustChangePassword: account.must_change_password ?? true
		}
	};
}

/**
 * The account-wide count on the staff row (the admin sees it and 解锁 clears it), reserved in
 * one statement before the check. The attempt that reaches the ceiling locks the account; a
 * lock that has run out starts a fresh count.
 */
async function reserveAccountAttempt(
	db: Db,
	staffId: bigint
): Promise<{ allowed: true; lockedUntil: Date | null } | { allowed: false; lockedUntil: Date }> {
	const max = loginAccountMaxFailures();
	const lockUntil = new Date(Date.now() + loginLockMs());
	const { rows } = await sql<{ locked_until: Date | null }>`
		UPDATE staff AS s SET
			failed_attempts = n.attempts,
			locked_until = CASE WHEN n.attempts >= ${max} THEN ${lockUntil}::timestamptz END
		FROM (
			SELECT id, CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_attempts + 1 END AS attempts
			FROM staff WHERE id = ${staffId} AND (locked_until IS NULL OR locked_until <= now())
			FOR UPDATE
		) AS n
		WHERE s.id = n.id
		RETURNING s.locked_until`.execute(db);
	if (rows.length) return { allowed: true, lockedUntil: rows[0].locked_until };
	// Locked (read afresh: the statement above may have waited for the attempt that locked it).
	const row = await db.selectFrom('staff').select('locked_until').where('id', '=', staffId).executeTakeFirst();
	return { allowed: false, lockedUntil: row?.locked_until && row.locked_until.getTime() > Date.now() ? row.locked_until : lockUntil };
}
