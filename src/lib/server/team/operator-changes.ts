// 操作员: the admin's changes to an operator (新增, 变更操作员信息, 变更角色信息, 重置密码, 解锁,
// 重置二次验证, 全部退出, 删除) and the merchant's two-factor requirement, each audited in its
// transaction; an SMS goes out only after the change is committed (a slow gateway holds no locks).
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import type { OperatorStatus } from '#shared/schemas/operators.ts';
import { auditChange, type Actor } from '../audit.ts';
import { listDevices } from '../auth/devices.ts';
import { invalidateStaffSessions } from '../auth/session.ts';
import { clearSecondFactor } from '../auth/two-factor-enrolment.ts';
import { DomainError, NotFound } from '../domain-error.ts';
import { maskPhone } from '../mask.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { sendSms, smsText } from '../sms/index.ts';
import { newInitialPassword, smsPassword } from './initial-password.ts';
import { auditView, isLocked, lockOperator, setRoles } from './operators.ts';
import { requireRoles } from './roles.ts';

/** The admin acting, with the merchant number the SMS texts name. */
type AdminActor = Actor & { merchantNo: string };

/**
 * 新增操作员: the system makes the initial password, stores only its hash, texts it to the
 * operator's phone, and the operator must change it at first sign-in.
 */
export async function createOperator(
	db: Kysely<DB>,
	actor: AdminActor,
	input: { name: string; phone: string; email: string | null; roleIds: bigint[] }
) {
	const { password, hash } = await newInitialPassword();
	let id: bigint;
	try {
		id = await db.transaction().execute(async (tx) => {
			await requireRoles(tx, actor.merchantId, input.roleIds);
			const staff = await tx
				.insertInto('staff')
				.values({
					merchant_id: actor.merchantId,
					is_admin: false,
					name: input.name,
					phone: input.phone,
					email: input.email,
					password_hash: hash,
					must_change_password: true
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			await setRoles(tx, actor.merchantId, staff.id, input.roleIds);
			await auditChange(tx, actor, 'operators.create', { type: 'staff', id: staff.id }, {
				before: null,
				after: { name: input.name, phone: maskPhone(input.phone), email: input.email, status: 'ACTIVE', roleIds: input.roleIds.map(String) }
			});
			return staff.id;
		});
	} catch (e) {
		if (isUniqueViolation(e, 'staff_merchant_id_phone_key')) throw new DomainError('CONFLICT', 'operators.phoneTaken');
		throw e;
	}
	const sms = await smsPassword(db, { merchantId: actor.merchantId, merchantNo: actor.merchantNo, name: input.name, phone: input.phone }, password, 'initial');
	return { id, smsStatus: sms.status };
}

/** 变更操作员信息: 邮箱 and 状态. Disabling ends the operator's sessions at once. */
export function updateOperatorInfo(db: Kysely<DB>, actor: Actor, input: { id: bigint; email: string | null; status: OperatorStatus }): Promise<{ id: bigint }> {
	return db.transaction().execute((tx) => applyOperatorInfo(tx, actor, input));
}

/**
 * 变更操作员信息 inside the caller's transaction (one operator, or each of a bulk 启用/停用):
 * `email` left out keeps the operator's; `onlyIfChanged` skips an operator already in that state
 * (no write, no audit row).
 */
export async function applyOperatorInfo(
	tx: Transaction<DB>,
	actor: Actor,
	input: { id: bigint; email?: string | null; status: OperatorStatus },
	opts: { onlyIfChanged?: boolean } = {}
): Promise<{ id: bigint; changed: boolean }> {
	const before = await lockOperator(tx, actor.merchantId, input.id);
	const email = input.email === undefined ? before.email : input.email;
	if (opts.onlyIfChanged && before.status === input.status && before.email === email) return { id: before.id, changed: false };
	await tx
		.updateTable('staff')
		.set({ email, status: input.status, updated_at: new Date() })
		.where('merchant_id', '=', actor.merchantId)
		.where('id', '=', input.id)
		.execute();
	const after = { ...before, email, status: input.status };
	if (input.status === 'DISABLED') await invalidateStaffSessions(tx, before.id);
	await auditChange(tx, actor, 'operators.updateInfo', { type: 'staff', id: before.id }, { before: auditView(before), after: auditView(after) });
	return { id: before.id, changed: true };
}

/** 变更角色信息: replaces the operator's roles and ends their sessions, so they sign in to the new set. */
export function updateOperatorRoles(db: Kysely<DB>, actor: Actor, input: { id: bigint; roleIds: bigint[] }): Promise<{ id: bigint }> {
	return db.transaction().execute(async (tx) => {
		const before = await lockOperator(tx, actor.merchantId, input.id);
		await requireRoles(tx, actor.merchantId, input.roleIds);
		await setRoles(tx, actor.merchantId, before.id, input.roleIds);
		await tx.updateTable('staff').set({ updated_at: new Date() }).where('id', '=', before.id).execute();
		await invalidateStaffSessions(tx, before.id);
		const after = { ...before, roleIds: [...input.roleIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
		await auditChange(tx, actor, 'operators.updateRoles', { type: 'staff', id: before.id }, { before: auditView(before), after: auditView(after) });
		return { id: before.id };
	});
}

/**
 * 重置密码: a new random password by SMS, to be changed at the next sign-in. Ends the operator's
 * sessions and clears a lockout (the admin has just handed them a fresh way in).
 */
export async function resetOperatorPassword(db: Kysely<DB>, actor: AdminActor, id: bigint) {
	const { password, hash } = await newInitialPassword();
	const operator = await db.transaction().execute(async (tx) => {
		const before = await lockOperator(tx, actor.merchantId, id);
		await tx
			.updateTable('staff')
			.set({ password_hash: hash, must_change_password: true, failed_attempts: 0, locked_until: null, updated_at: new Date() })
			.where('merchant_id', '=', actor.merchantId)
			.where('id', '=', before.id)
			.execute();
		await invalidateStaffSessions(tx, before.id);
		await auditChange(tx, actor, 'operators.resetPassword', { type: 'staff', id: before.id }, {
			before: { mustChangePassword: before.mustChangePassword, failedAttempts: before.failedAttempts },
			after: { mustChangePassword: true, failedAttempts: 0 },
			name: before.name
		});
		return before;
	});
	const sms = await smsPassword(db, { merchantId: actor.merchantId, merchantNo: actor.merchantNo, name: operator.name, phone: operator.phone }, password, 'reset');
	return { id: operator.id, smsStatus: sms.status };
}

/** 解锁: clears the failed sign-in count and the lock, so the operator may try again now. */
export function unlockOperator(db: Kysely<DB>, actor: Actor, id: bigint): Promise<{ id: bigint }> {
	return db.transaction().execute(async (tx) => {
		const before = await lockOperator(tx, actor.merchantId, id);
		await tx
			.updateTable('staff')
			.set({ failed_attempts: 0, locked_until: null, updated_at: new Date() })
			.where('merchant_id', '=', actor.merchantId)
			.where('id', '=', before.id)
			.execute();
		await auditChange(tx, actor, 'operators.unlock', { type: 'staff', id: before.id }, {
			before: { locked: isLocked(before.lockedUntil), lockedUntil: before.lockedUntil?.toISOString() ?? null, failedAttempts: before.failedAttempts },
			after: { locked: false, lockedUntil: null, failedAttempts: 0 },
			name: before.name
		});
		return { id: before.id };
	});
}

/**
 * 重置二次验证: for an operator who lost their phone and recovery codes. Their key and codes are
 * forgotten and every session ends; they sign in with the password alone and, if the merchant
 * requires two-factor, enrol again first. An SMS tells them (a reset they did not ask for is a
 * warning sign).
 */
export async function resetOperatorTwoFactor(db: Kysely<DB>, actor: AdminActor, id: bigint) {
	const operator = await db.transaction().execute(async (tx) => {
		const before = await lockOperator(tx, actor.merchantId, id);
		const staff = await tx.selectFrom('staff').select('totp_enabled_at').where('id', '=', before.id).executeTakeFirstOrThrow();
		if (!staff.totp_enabled_at) throw new DomainError('CONFLICT', 'twoFactor.operatorNotEnrolled');
		await clearSecondFactor(tx, before.id);
		await invalidateStaffSessions(tx, before.id);
		await auditChange(tx, actor, 'operators.resetTwoFactor', { type: 'staff', id: before.id }, {
			before: { twoFactorEnabled: true },
			after: { twoFactorEnabled: false },
			name: before.name,
			sessionsEnded: true
		});
		return before;
	});
	const sms = await sendSms(db, {
		merchantId: actor.merchantId,
		phone: operator.phone,
		body: smsText('sms.body.twoFactorReset', { name: operator.name, merchantNo: actor.merchantNo }),
		purpose: 'TWO_FACTOR_RESET'
	});
	return { id: operator.id, smsStatus: sms.status };
}

/** An operator's signed-in devices, as they see them in 登录设备 (the admin and other merchants' staff read as not found). */
export async function operatorDevices(db: Kysely<DB>, merchantId: bigint, id: bigint) {
	const operator = await db.transaction().execute((tx) => lockOperator(tx, merchantId, id));
	return listDevices(db, operator.id, null);
}

/**
 * 删除操作员: a soft delete. The row stays (the audit log, 导出记录, key changes and the sign-in
 * history keep the person's name), but the operator leaves the list and every picker, can never
 * sign in again (password, 找回密码 and recovery codes answer as for an unknown account), and
 * their sessions end at once. Their roles are let go and live SMS codes to their phone retired,
 * so the phone can be given to a new operator. The admin (the caller included) is never an
 * operator: naming them is NOT_FOUND, like a missing or already deleted operator.
 */
export async function deleteOperator(db: Kysely<DB>, actor: Actor, id: bigint): Promise<{ id: bigint }> {
	if (id === actor.staffId) throw new NotFound();
	return db.transaction().execute(async (tx) => {
		const before = await lockOperator(tx, actor.merchantId, id);
		const now = new Date();
		await tx.updateTable('staff').set({ deleted_at: now, updated_at: now }).where('merchant_id', '=', actor.merchantId).where('id', '=', before.id).execute();
		await tx.deleteFrom('staff_roles').where('merchant_id', '=', actor.merchantId).where('staff_id', '=', before.id).execute();
		await tx
			.updateTable('sms_codes')
			.set({ consumed_at: now })
			.where('merchant_id', '=', actor.merchantId)
			.where('phone', '=', before.phone)
			.where('consumed_at', 'is', null)
			.execute();
		await invalidateStaffSessions(tx, before.id);
		await auditChange(tx, actor, 'operators.delete', { type: 'staff', id: before.id }, { before: auditView(before), after: null, name: before.name });
		return { id: before.id };
	});
}

/** 全部退出: ends every session of the operator; each browser is signed out at its next request. */
export function endOperatorSessions(db: Kysely<DB>, actor: Actor, id: bigint): Promise<{ ended: number }> {
	return db.transaction().execute(async (tx) => {
		const before = await lockOperator(tx, actor.merchantId, id);
		const count = await tx.selectFrom('sessions').select((eb) => eb.fn.countAll<string>().as('n')).where('staff_id', '=', before.id).executeTakeFirstOrThrow();
		await invalidateStaffSessions(tx, before.id);
		await auditChange(tx, actor, 'operators.endSessions', { type: 'staff', id: before.id }, { name: before.name, sessionsEnded: Number(count.n) });
		return { ended: Number(count.n) };
	});
}

/** Whether the merchant requires two-factor sign-in of everyone. */
export async function twoFactorPolicy(db: Kysely<DB>, merchantId: bigint): Promise<{ required: boolean }> {
	const m = await db.selectFrom('merchants').select('require_two_factor').where('id', '=', merchantId).executeTakeFirstOrThrow();
	return { required: m.require_two_factor };
}

/**
 * 要求所有人启用二次验证. The admin must have it first (otherwise the switch would send the admin
 * to enrolment too, mid-change). People without it are taken to enrolment at their next request.
 */
export async function setTwoFactorRequired(
	db: Kysely<DB>,
	actor: Actor & { twoFactorEnabled: boolean },
	required: boolean
): Promise<{ required: boolean }> {
	if (required && !actor.twoFactorEnabled) throw new DomainError('CONFLICT', 'twoFactor.enrolFirst');
	return db.transaction().execute(async (tx) => {
		const before = await tx.selectFrom('merchants').select('require_two_factor').where('id', '=', actor.merchantId).forUpdate().executeTakeFirstOrThrow();
		if (before.require_two_factor === required) return { required };
		await tx.updateTable('merchants').set({ require_two_factor: required }).where('id', '=', actor.merchantId).execute();
		await auditChange(tx, actor, required ? 'twoFactor.requireAll' : 'twoFactor.requireNone', { type: 'merchant', id: actor.merchantId }, {
			before: { required: before.require_two_factor },
			after: { required }
		});
		return { required };
	});
}
