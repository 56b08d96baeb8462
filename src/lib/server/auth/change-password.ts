// 原密码 → 新密码, for the forced initial change and for 设置 → 修改密码.
import type { Db } from '#db';
import type { MessageKey } from '#shared/i18n/messages.ts';
import { writeAudit } from '../audit.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { passwordProblems } from './password-policy.ts';
import { invalidateStaffSessions } from './session.ts';
import { loginLockMs, loginMaxFailures } from './config.ts';
import { clear, take, throttleKeys } from './throttle.ts';
import type { RequestOrigin, SessionContext } from './types.ts';

export type ChangePasswordResult =
	| { ok: true }
	| { ok: false; reason: 'oldWrong' }
	/** Too many wrong old passwords: a stolen session must not become a password oracle. */
	| { ok: false; reason: 'tooManyAttempts'; retryAfter: Date }
	| { ok: false; reason: 'passwordProblems'; problems: MessageKey[] };

/**
 * Changes the signed-in person's password. `keepCurrentSession` keeps this browser signed in
 * (设置 → 修改密码); the initial change ends every session so the person signs in again.
 */
export async function changePassword(
	db: Db,
	auth: SessionContext,
	input: { oldPassword: string; newPassword: string },
	origin: RequestOrigin,
	opts: { keepCurrentSession: boolean; kind: 'initial' | 'settings' }
): Promise<ChangePasswordResult> {
	const attemptKey = throttleKeys.oldPassword(auth.staff.id);
	const attempt = await take(db, attemptKey, { max: loginMaxFailures(), windowMs: loginLockMs() });
	if (!attempt.allowed) return { ok: false, reason: 'tooManyAttempts', retryAfter: attempt.retryAt };
	const staff = await db
		.selectFrom('staff')
		.select(['password_hash', 'phone'])
		.where('id', '=', auth.staff.id)
		.where('merchant_id', '=', auth.staff.merchantId)
		.executeTakeFirst();
	if (!staff || !(await verifyPassword(staff.password_hash, input.oldPassword))) {
		await writeAudit(db, {
			merchantId: auth.staff.merchantId,
			staffId: auth.staff.id,
			actorName: auth.staff.name,
			action: 'password.changeFailed',
			targetType: 'staff',
			targetId: auth.staff.id,
			detail: { kind: opts.kind, reason: 'oldWrong' },
			ip: origin.ip,
			userAgent: origin.userAgent
		});
		return { ok: false, reason: 'oldWrong' };
	}
	await clear(db, attemptKey);
	const problems = passwordProblems(input.newPassword, { phone: staff.phone, oldPassword: input.oldPassword });
	if (problems.length) return { ok: false, reason: 'passwordProblems', problems };

	const passwordHash = await hashPassword(input.newPassword);
	await db.transaction().execute(async (tx) => {
		const now = new Date();
		await tx
			.updateTable('staff')
			.set({ password_hash: passwordHash, must_change_password: false, password_changed_at: now, failed_attempts: 0, locked_until: null, updated_at: now })
			.where('id', '=', auth.staff.id)
			.execute();
		await invalidateStaffSessions(tx, auth.staff.id, opts.keepCurrentSession ? auth.sessionId : undefined);
		await writeAudit(tx, {
			merchantId: auth.staff.merchantId,
			staffId: auth.staff.id,
			actorName: auth.staff.name,
			action: opts.kind === 'initial' ? 'password.initialChange' : 'password.change',
			targetType: 'staff',
			targetId: auth.staff.id,
			detail: { otherSessionsEnded: true, currentSessionKept: opts.keepCurrentSession },
			ip: origin.ip,
			userAgent: origin.userAgent
		});
	});
	return { ok: true };
}
