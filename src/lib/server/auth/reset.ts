// 找回密码: 商户号 + 手机号 → a 6-digit SMS code → a new password. The code is stored hashed,
// expires in 5 minutes, is single use and allows 5 wrong tries. Requests have a 60 s cool-down
// and per-phone / per-IP hourly limits, counted whether or not the account exists, so neither
// the answer nor the limits tell anyone which phones have accounts.
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '#db';
import { writeAudit } from '../audit.ts';
import { maskPhone } from '../mask.ts';
import { deliverSmsLater, queueSms, secretSms, type SmsSender } from '../sms/index.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password.ts';
import { passwordProblems } from './password-policy.ts';
import { positiveInt } from './config.ts';
import { invalidateStaffSessions } from './session.ts';
import { writeSignInLog } from './sign-in-log.ts';
import { clear, clearPrefix, giveBack, take, throttleKeys } from './throttle.ts';
import type { RequestOrigin } from './types.ts';
import type { MessageKey } from '#shared/i18n/messages.ts';
import { RESET_CODE_LENGTH } from '#shared/schemas/password.ts';


/** Limits, overridable by env so an operator can tighten them without a release. */
export const resetLimits = {
	codeTtlMs: () => 5 * 60_000,
	cooldownMs: () => positiveInt('RESET_COOLDOWN_SECONDS', 60) * 1000,
	maxCodeAttempts: () => positiveInt('RESET_MAX_CODE_ATTEMPTS', 5),
	perPhonePerHour: () => positiveInt('RESET_PER_PHONE_PER_HOUR', 5),
	perIpPerHour: () => positiveInt('RESET_PER_IP_PER_HOUR', 20),
	/** Every accepted request answers no sooner than this (see requestResetCode). */
	minResponseMs: () => positiveInt('RESET_MIN_RESPONSE_MS', 300),
	/** Code checks (找回密码's 确定) per client address, and per account from anywhere, per window. */
	checksPerIp: () => positiveInt('RESET_CHECKS_PER_IP', 20),
	checksPerAccount: () => positiveInt('RESET_CHECKS_PER_ACCOUNT', 10),
	checksWindowMs: () => positiveInt('RESET_CHECKS_WINDOW_MINUTES', 15) * 60_000
};

export const RESET_PURPOSE = 'RESET_PASSWORD';

export type ResetCodeRequestResult =
	| { ok: true; cooldownSeconds: number; ttlMinutes: number }
	| { ok: false; reason: 'tooSoon'; retryAfterSeconds: number }
	| { ok: false; reason: 'rateLimited' };

interface AccountRow {
	merchant_id: bigint;
	merchant_status: 'ACTIVE' | 'SUSPENDED';
	staff_id: bigint | null;
	name: string | null;
	staff_status: 'ACTIVE' | 'DISABLED' | null;
	password_hash: string | null;
}

async function findAccount(db: Db, merchantNo: string, phone: string): Promise<AccountRow | undefined> {
	// A deleted operator is no account: no code is sent, none is accepted.
	return (await db
		.selectFrom('merchants as m')
		.leftJoin('staff as s', (j) => j.onRef('s.merchant_id', '=', 'm.id').on('s.phone', '=', phone).on('s.deleted_at', 'is', null))
		.select(['m.id as merchant_id', 'm.status as merchant_status', 's.id as staff_id', 's.name', 's.status as staff_status', 's.password_hash'])
		.where('m.merchant_no', '=', merchantNo)
		.executeTakeFirst()) as AccountRow | undefined;
}

/**
 * Sends a reset code when the merchant number and phone name an active account; answers the
 * same either way. The limits are checked (and the request counted) under a per-phone lock, so
 * two requests at once cannot both slip past the cool-down.
 */
export async function requestResetCode(
	db: Db,
	input: { merchantNo: string; phone: string },
	origin: RequestOrigin,
	sender?: SmsSender
): Promise<ResetCodeRequestResult> {
	const now = Date.now();
	const hourAgo = new Date(now - 3_600_000);
	// A real account's code is written and queued (a transaction more than an unknown phone
	// costs): answering at a fixed floor hides that gap, so timing cannot tell whether the
	// phone exists.
	const answerAt = now + resetLimits.minResponseMs();
	const limit = await db.transaction().execute(async (tx) => {
		await sql`SELECT pg_advisory_xact_lock(hashtext(${`reset:${input.merchantNo}:${input.phone}`}))`.execute(tx);
		const last = await tx
			.selectFrom('password_reset_requests')
			.select('created_at')
			.where('merchant_no', '=', input.merchantNo)
			.where('phone', '=', input.phone)
			.orderBy('created_at', 'desc')
			.limit(1)
			.executeTakeFirst();
		const wait = last ? last.created_at.getTime() + resetLimits.cooldownMs() - now : 0;
		if (wait > 0) return { ok: false, reason: 'tooSoon', retryAfterSeconds: Math.ceil(wait / 1000) } as const;
		const perPhone = await tx
			.selectFrom('password_reset_requests')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('merchant_no', '=', input.merchantNo)
			.where('phone', '=', input.phone)
			.where('created_at', '>', hourAgo)
			.executeTakeFirstOrThrow();
		if (Number(perPhone.n) >= resetLimits.perPhonePerHour()) return { ok: false, reason: 'rateLimited' } as const;
		if (origin.ip) {
			const perIp = await tx
				.selectFrom('password_reset_requests')
				.select((eb) => eb.fn.countAll<string>().as('n'))
				.where('ip', '=', origin.ip.slice(0, 100))
				.where('created_at', '>', hourAgo)
				.executeTakeFirstOrThrow();
			if (Number(perIp.n) >= resetLimits.perIpPerHour()) return { ok: false, reason: 'rateLimited' } as const;
		}
		await tx
			.insertInto('password_reset_requests')
			.values({ merchant_no: input.merchantNo, phone: input.phone, ip: origin.ip?.slice(0, 100) ?? null, created_at: new Date(now) })
			.execute();
		return null;
	});
	if (limit) {
		await writeSignInLog(db, { merchantId: null, staffId: null, event: 'resetCodeRequest', ok: false, reason: limit.reason, phone: input.phone }, origin);
		return limit;
	}

	const ttlMs = resetLimits.codeTtlMs();
	const code = String(randomInt(0, 10 ** RESET_CODE_LENGTH)).padStart(RESET_CODE_LENGTH, '0');
	// Hashed on both paths: an unknown phone costs the same time as a real one.
	const codeHash = await hashPassword(code);
	const account = await findAccount(db, input.merchantNo, input.phone);
	const active = account?.staff_id != null && account.staff_status === 'ACTIVE' && account.merchant_status === 'ACTIVE';

	if (account && active) {
		const staffId = account.staff_id!;
		const msg = await db.transaction().execute(async (tx) => {
			// Only the newest code works: a resend retires the earlier ones.
			await tx
				.updateTable('sms_codes')
				.set({ consumed_at: new Date(now) })
				.where('merchant_id', '=', account.merchant_id)
				.where('phone', '=', input.phone)
				.where('purpose', '=', RESET_PURPOSE)
				.where('consumed_at', 'is', null)
				.execute();
			await tx
				.insertInto('sms_codes')
				.values({
					merchant_id: account.merchant_id,
					phone: input.phone,
					purpose: RESET_PURPOSE,
					code_hash: codeHash,
					expires_at: new Date(now + ttlMs),
					ip: origin.ip?.slice(0, 100) ?? null
				})
				.execute();
			return queueSms(tx, {
				merchantId: account.merchant_id,
				phone: input.phone,
				...secretSms('sms.body.resetCode', { minutes: Math.round(ttlMs / 60_000) }, { code }),
				purpose: RESET_PURPOSE
			});
		});
		// Not awaited: a slow gateway must not make a real phone answer slower than an unknown one.
		deliverSmsLater(db, msg, sender);
		await writeSignInLog(db, { merchantId: account.merchant_id, staffId, event: 'resetCodeRequest', ok: true, reason: 'sent', phone: input.phone }, origin);
	} else {
		await writeSignInLog(
			db,
			{ merchantId: account?.merchant_id ?? null, staffId: null, event: 'resetCodeRequest', ok: false, reason: 'unknownAccount', phone: input.phone },
			origin
		);
	}
	const wait = answerAt - Date.now();
	if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	return { ok: true, cooldownSeconds: Math.ceil(resetLimits.cooldownMs() / 1000), ttlMinutes: Math.round(ttlMs / 60_000) };
}

export type ResetPasswordResult =
	| { ok: true }
	/** Wrong, expired, used, retired or over-tried code, or no such account: all look alike. */
	| { ok: false; reason: 'invalidCode' }
	| { ok: false; reason: 'passwordProblems'; problems: MessageKey[] }
	/** Too many code checks from this address or for this account. */
	| { ok: false; reason: 'tooManyAttempts'; retryAfter: Date };

/**
 * Checks the code and sets the new password. Each check first reserves an attempt (per address,
 * per account, and on the code row itself), so no burst gets more checks than the limits; the
 * hashing runs with no transaction open; the code is consumed by one conditional update, so it
 * works exactly once even when two right tries race.
 */
export async function resetPasswordWithCode(
	db: Db,
	input: { merchantNo: string; phone: string; code: string; newPassword: string },
	origin: RequestOrigin
): Promise<ResetPasswordResult> {
	const problems = passwordProblems(input.newPassword, { phone: input.phone });
	if (problems.length) return { ok: false, reason: 'passwordProblems', problems };

	const window = resetLimits.checksWindowMs();
	const addressKey = throttleKeys.resetAddress(origin.ip?.slice(0, 100) || 'unknown');
	const accountKey = throttleKeys.resetAccount(input.merchantNo, input.phone);
	const byAddress = await take(db, addressKey, { max: resetLimits.checksPerIp(), windowMs: window });
	if (!byAddress.allowed) return { ok: false, reason: 'tooManyAttempts', retryAfter: byAddress.retryAt };
	const byAccount = await take(db, accountKey, { max: resetLimits.checksPerAccount(), windowMs: window });
	if (!byAccount.allowed) {
		await giveBack(db, addressKey);
		return { ok: false, reason: 'tooManyAttempts', retryAfter: byAccount.retryAt };
	}

	const account = await findAccount(db, input.merchantNo, input.phone);
	const log = (ok: boolean, reason: string | null) =>
		writeSignInLog(db, { merchantId: account?.merchant_id ?? null, staffId: account?.staff_id ?? null, event: 'reset', ok, reason, phone: input.phone }, origin);
	if (!account || account.staff_id === null || account.staff_status !== 'ACTIVE' || account.merchant_status !== 'ACTIVE') {
		await verifyAgainstDummy(input.code);
		return { ok: false, reason: 'invalidCode' };
	}
	const staffId = account.staff_id;

	// The newest live code, its try counted before it is checked.
	const { rows } = await sql<{ id: bigint; code_hash: string }>`
		UPDATE sms_codes SET attempts = attempts + 1
		WHERE id = (
			SELECT id FROM sms_codes
			WHERE merchant_id = ${account.merchant_id} AND phone = ${input.phone} AND purpose = ${RESET_PURPOSE} AND consumed_at IS NULL
			ORDER BY created_at DESC, id DESC LIMIT 1
		) AND consumed_at IS NULL AND expires_at > now() AND attempts < ${resetLimits.maxCodeAttempts()}
		RETURNING id, code_hash`.execute(db);
	const code = rows[0];
	if (!code) {
		await verifyAgainstDummy(input.code);
		await log(false, 'noLiveCode');
		return { ok: false, reason: 'invalidCode' };
	}
	if (!(await verifyPassword(code.code_hash, input.code))) {
		await log(false, 'wrongCode');
		return { ok: false, reason: 'invalidCode' };
	}
	if (account.password_hash && (await verifyPassword(account.password_hash, input.newPassword))) {
		// Not a wrong code: the try is given back, the code stays usable with another password.
		await sql`UPDATE sms_codes SET attempts = greatest(attempts - 1, 0) WHERE id = ${code.id}`.execute(db);
		return { ok: false, reason: 'passwordProblems', problems: ['password.rule.notOld'] };
	}
	const passwordHash = await hashPassword(input.newPassword);

	const done = await db.transaction().execute(async (tx) => {
		const now = new Date();
		const consumed = await tx
			.updateTable('sms_codes')
			.set({ consumed_at: now })
			.where('id', '=', code.id)
			.where('consumed_at', 'is', null)
			.returning('id')
			.executeTakeFirst();
		if (!consumed) return false;
		await tx
			.updateTable('staff')
			.set({ password_hash: passwordHash, must_change_password: false, password_changed_at: now, failed_attempts: 0, locked_until: null, updated_at: now })
			.where('id', '=', staffId)
			.execute();
		await invalidateStaffSessions(tx, staffId);
		await writeAudit(tx, {
			merchantId: account.merchant_id,
			staffId,
			actorName: account.name,
			action: 'password.reset',
			targetType: 'staff',
			targetId: staffId,
			detail: { via: 'smsCode', phone: maskPhone(input.phone) },
			ip: origin.ip,
			userAgent: origin.userAgent
		});
		return true;
	});
	if (!done) return { ok: false, reason: 'invalidCode' };
	// The owner proved the phone: every lock on the account is lifted, from every address.
	await Promise.all([clearPrefix(db, throttleKeys.signInAccount(input.merchantNo, input.phone)), clear(db, accountKey), giveBack(db, addressKey)]);
	await log(true, null);
	return { ok: true };
}
