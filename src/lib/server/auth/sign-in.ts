// Sign-in with 商户号 + 手机号 + 登录密码: lockout, uniform failures, and an audit row per attempt.
import { sql } from 'kysely';
import type { Db } from '../../../../db/index.ts';
import { writeAudit } from '../audit.ts';
import { loginLockMs, loginMaxFailures } from './config.ts';
import { ipThrottledUntil, recordIpFailure } from './ip-throttle.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';
import { createSession, type Session } from './session.ts';
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
	  }
	/** Unknown merchant, unknown phone and wrong password look exactly alike. */
	| { ok: false; reason: 'invalidCredentials' }
	| { ok: false; reason: 'locked'; lockedUntil: Date }
	/** Too many failures from this client address, whichever accounts they named. */
	| { ok: false; reason: 'ipThrottled'; retryAfter: Date }
	| { ok: false; reason: 'staffDisabled' | 'merchantSuspended' };

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
	locked_until: Date | null;
}

export async function signIn(db: Db, input: SignInInput, origin: RequestOrigin): Promise<SignInResult> {
	const ip = origin.ip?.slice(0, 100) ?? null;
	// The merchant number picks the account: the same phone may exist under two merchants.
	const findAccount = db
		.selectFrom('merchants as m')
		.leftJoin('staff as s', (j) => j.onRef('s.merchant_id', '=', 'm.id').on('s.phone', '=', input.phone))
		.select([
			'm.id as merchant_id',
			'm.status as merchant_status',
			's.id as staff_id',
			's.name',
			's.password_hash',
			's.status',
			's.must_change_password',
			's.locked_until'
		])
		.where('m.merchant_no', '=', input.merchantNo)
		.executeTakeFirst() as Promise<AccountRow | undefined>;
	const [throttledUntil, account] = await Promise.all([ip ? ipThrottledUntil(db, ip) : null, findAccount]);

	const audit = (action: string, staffId: bigint | null, detail: Record<string, unknown>) =>
		writeAudit(db, {
			merchantId: account?.merchant_id ?? null,
			staffId,
			actorName: account?.name ?? null,
			action,
			targetType: 'staff',
			targetId: staffId,
			detail: { merchantNo: input.merchantNo, phone: maskPhone(input.phone), ...detail },
			ip: origin.ip,
			userAgent: origin.userAgent
		});

	// Checked before the password, so an address past its limit learns nothing more about any
	// account; the account itself is not touched (no lockout of someone else's account).
	if (throttledUntil) {
		await audit('auth.signInFailed', account?.staff_id ?? null, { reason: 'ipThrottled', retryAfter: throttledUntil.toISOString() });
		return { ok: false, reason: 'ipThrottled', retryAfter: throttledUntil };
	}
	const failed = async () => {
		if (ip) await recordIpFailure(db, ip);
	};

	if (!account || account.staff_id === null || account.password_hash === null) {
		await verifyAgainstDummy(input.password);
		await failed();
		await audit('auth.signInFailed', null, { reason: account ? 'unknownPhone' : 'unknownMerchant' });
		return { ok: false, reason: 'invalidCredentials' };
	}
	const staffId = account.staff_id;

	if (account.locked_until && account.locked_until.getTime() > Date.now()) {
		// Still spend the hashing time: a locked account answers no faster than an open one.
		await verifyPassword(account.password_hash, input.password);
		await failed();
		await audit('auth.signInFailed', staffId, { reason: 'locked', lockedUntil: account.locked_until.toISOString() });
		return { ok: false, reason: 'locked', lockedUntil: account.locked_until };
	}

	if (!(await verifyPassword(account.password_hash, input.password))) {
		const failure = await recordFailure(db, staffId);
		await failed();
		await audit('auth.signInFailed', staffId, { reason: 'badPassword', failedAttempts: failure.attempts });
		if (failure.lockedUntil) {
			await audit('auth.locked', staffId, { lockedUntil: failure.lockedUntil.toISOString(), failedAttempts: failure.attempts });
			return { ok: false, reason: 'locked', lockedUntil: failure.lockedUntil };
		}
		return { ok: false, reason: 'invalidCredentials' };
	}

	// Only someone who knows the password learns that the account or merchant is switched off.
	if (account.status !== 'ACTIVE') {
		await audit('auth.signInFailed', staffId, { reason: 'staffDisabled' });
		return { ok: false, reason: 'staffDisabled' };
	}
	if (account.merchant_status !== 'ACTIVE') {
		await audit('auth.signInFailed', staffId, { reason: 'merchantSuspended' });
		return { ok: false, reason: 'merchantSuspended' };
	}

	await db.updateTable('staff').set({ failed_attempts: 0, locked_until: null }).where('id', '=', staffId).execute();
	const { token, session } = await createSession(db, staffId, origin);
	await audit('auth.signIn', staffId, { sessionCreatedAt: session.createdAt.toISOString() });
	return {
		ok: true,
		token,
		session,
		staff: {
			id: staffId,
			merchantId: account.merchant_id,
			name: account.name ?? '',
			mustChangePassword: account.must_change_password ?? true
		}
	};
}

/**
 * Counts a wrong password in one statement (two wrong tries at once both count). The try that
 * reaches the limit locks the account and starts a fresh count for after the lock.
 */
async function recordFailure(db: Db, staffId: bigint): Promise<{ attempts: number; lockedUntil: Date | null }> {
	const max = loginMaxFailures();
	const lockUntil = new Date(Date.now() + loginLockMs());
	const { rows } = await sql<{ attempts: number; locked: boolean }>`
		UPDATE staff AS s SET
			failed_attempts = CASE WHEN old.failed_attempts + 1 >= ${max} THEN 0 ELSE old.failed_attempts + 1 END,
			locked_until = CASE WHEN old.failed_attempts + 1 >= ${max} THEN ${lockUntil}::timestamptz ELSE s.locked_until END
		FROM (SELECT id, failed_attempts FROM staff WHERE id = ${staffId} FOR UPDATE) AS old
		WHERE s.id = old.id
		RETURNING old.failed_attempts + 1 AS attempts, old.failed_attempts + 1 >= ${max} AS locked`.execute(db);
	const row = rows[0];
	return { attempts: row?.attempts ?? 1, lockedUntil: row?.locked ? lockUntil : null };
}

function maskPhone(phone: string): string {
	return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
