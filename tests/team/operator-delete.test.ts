// 删除操作员 (issue 12, point 2): a soft delete. The operator leaves the list and the pickers, their
// sessions end, password sign-in, 找回密码 and recovery codes refuse them as an unknown account,
// their history keeps their name, and their phone can be given to a new operator. Admin only,
// with step-up; never the admin; another merchant's operator is NOT_FOUND.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { requestResetCode, resetPasswordWithCode } from '#shared/server/auth/reset.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { callerFor } from '../fixtures/context.ts';
import { makeRole, makeStaff, PASSWORD, randomPhone } from '../fixtures/merchant.ts';
import { outcome, refusal } from '../fixtures/outcome.ts';
import { browser, enrol, passwordStep } from '../two-factor/helpers.ts';
import { adminWorld, operatorWith } from './helpers.ts';

const db = getDb();
const NF = { code: 'NOT_FOUND', message: 'error.notFound' };
let ipCount = 0;
/** Each sign-in from its own address, so no attempt limit of another check gets in the way. */
const origin = () => ({ ip: `198.51.100.${++ipCount}`, userAgent: 'vitest' });

describe('operators.delete', () => {
	it('the operator leaves the list and the pickers, their sessions end and sign-in answers as for a wrong password', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['payments.read', 'settings.password'], { name: '张三' });
		const colleague = await makeStaff(db, merchant.id, { name: '李四' });
		expect(await validateSessionToken(db, op.token)).not.toBeNull();

		expect(await caller.operators.delete({ id: op.staff.id })).toEqual({ id: op.staff.id });

		expect((await caller.operators.list({})).rows.map((r) => r.name)).toEqual(['李四']);
		expect(await outcome(caller.operators.get({ id: op.staff.id }))).toEqual(NF);
		expect((await caller.audit.people()).map((p) => p.name)).toEqual(['管理员', '李四']);
		// a second delete, or any other change, finds nobody
		expect(await outcome(caller.operators.delete({ id: op.staff.id }))).toEqual(NF);
		expect(await outcome(caller.operators.resetPassword({ id: op.staff.id }))).toEqual(NF);
		expect(await outcome(caller.operators.updateInfo({ id: op.staff.id, status: 'ACTIVE' }))).toEqual(NF);

		// signed out at once
		expect(await validateSessionToken(db, op.token)).toBeNull();
		expect(await db.selectFrom('sessions').select('id').where('staff_id', '=', op.staff.id).execute()).toEqual([]);
		// the right password is refused exactly like a wrong one of a living colleague
		const deleted = await signIn(db, { merchantNo: merchant.merchant_no, phone: op.staff.phone, password: PASSWORD }, origin());
		const wrong = await signIn(db, { merchantNo: merchant.merchant_no, phone: colleague.phone, password: 'Wrong#Pass2026' }, origin());
		expect(deleted).toEqual({ ok: false, reason: 'invalidCredentials' });
		expect(deleted).toEqual(wrong);
		const viaRouter = await refusal(callerFor(db, null).auth.signIn({ merchantNo: merchant.merchant_no, phone: op.staff.phone, password: PASSWORD }));
		const wrongViaRouter = await refusal(callerFor(db, null).auth.signIn({ merchantNo: merchant.merchant_no, phone: colleague.phone, password: 'Wrong#Pass2026' }));
		expect(viaRouter).toEqual(wrongViaRouter);

		// the row stays, marked; their roles are let go (the role counts no longer include them)
		const row = await db.selectFrom('staff').select(['name', 'deleted_at']).where('id', '=', op.staff.id).executeTakeFirstOrThrow();
		expect(row.name).toBe('张三');
		expect(row.deleted_at).toBeInstanceOf(Date);
		expect(await db.selectFrom('staff_roles').select('role_id').where('staff_id', '=', op.staff.id).execute()).toEqual([]);
		expect((await caller.roles.list({})).rows.find((r) => r.id === op.role.id)?.operatorCount).toBe(0);
	});

	it('找回密码 sends no code to a deleted operator and takes none; a code sent before the delete is retired', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await makeStaff(db, merchant.id, { name: '王五' });
		const who = { merchantNo: merchant.merchant_no, phone: op.phone };
		// a code asked for while still on the team
		expect((await requestResetCode(db, who, origin())).ok).toBe(true);
		const before = await db.selectFrom('sms_codes').select(['id', 'consumed_at']).where('merchant_id', '=', merchant.id).where('phone', '=', op.phone).execute();
		expect(before).toHaveLength(1);
		expect(before[0].consumed_at).toBeNull();

		await caller.operators.delete({ id: op.id });
		const retired = await db.selectFrom('sms_codes').select('consumed_at').where('id', '=', before[0].id).executeTakeFirstOrThrow();
		expect(retired.consumed_at).toBeInstanceOf(Date);

		// no code can be set with whatever code they hold
		expect(await resetPasswordWithCode(db, { ...who, code: '000000', newPassword: 'Another#Pass2026' }, origin())).toEqual({ ok: false, reason: 'invalidCode' });
		// asking again answers as for any phone, but nothing is written or texted (after the cool-down)
		await db.deleteFrom('password_reset_requests').where('phone', '=', op.phone).execute();
		const again = await requestResetCode(db, who, origin());
		const unknown = await requestResetCode(db, { merchantNo: merchant.merchant_no, phone: randomPhone() }, origin());
		expect(again).toEqual(unknown);
		expect(await db.selectFrom('sms_codes').select('id').where('merchant_id', '=', merchant.id).where('phone', '=', op.phone).execute()).toHaveLength(1);
	});

	it('a half-finished two-factor sign-in ends too: the recovery code finds no sign-in to complete', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await makeStaff(db, merchant.id, { name: '赵六' });
		const { recoveryCodes } = await enrol(db, op.id);
		const half = await passwordStep(db, { merchantNo: merchant.merchant_no, phone: op.phone }, '198.51.100.200');
		expect(half.out).toMatchObject({ secondFactorPending: true });

		await caller.operators.delete({ id: op.id });
		expect(await refusal((await browser(db, half.token)).auth.verifySecondFactor({ code: recoveryCodes[0] }))).toEqual({
			code: 'UNAUTHORIZED',
			message: 'auth.secondFactorExpired'
		});
		expect(await db.selectFrom('sessions').select('id').where('staff_id', '=', op.id).execute()).toEqual([]);
	});

	it('history keeps the name: the audit log, the sign-in log; the delete itself is audited', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['settings.password'], { name: '钱七' });
		// something the operator did, and a sign-in of theirs
		await op.caller.auth.stepUp({ method: 'password', value: PASSWORD });
		expect((await signIn(db, { merchantNo: merchant.merchant_no, phone: op.staff.phone, password: PASSWORD }, origin())).ok).toBe(true);

		await caller.operators.delete({ id: op.staff.id });

		const theirs = await caller.audit.list({ filter: { staffId: op.staff.id } });
		expect(theirs.rows.map((r) => [r.actorName, r.action])).toEqual([['钱七', 'auth.stepUp']]);
		const deletion = (await caller.audit.list({ filter: { action: 'operators.delete' } })).rows;
		expect(deletion).toHaveLength(1);
		expect(deletion[0]).toMatchObject({ staffId: admin.id, actorName: '管理员', targetType: 'staff', targetId: String(op.staff.id) });
		expect(deletion[0].detail).toMatchObject({ name: '钱七', before: { name: '钱七', phone: `${op.staff.phone.slice(0, 3)}****${op.staff.phone.slice(-4)}`, roleIds: [String(op.role.id)] }, after: null });
		expect(JSON.stringify(deletion[0].detail)).not.toContain(op.staff.phone);

		const signIns = await caller.audit.signIns({ filter: { staffId: op.staff.id } });
		expect(signIns.rows.length).toBeGreaterThan(0);
		expect(new Set(signIns.rows.map((r) => r.staffName))).toEqual(new Set(['钱七']));
	});

	it('the phone can be given to a new operator afterwards, who signs in with their own password', async () => {
		const { caller, merchant } = await adminWorld(db);
		const phone = randomPhone();
		const old = await makeStaff(db, merchant.id, { name: '旧人', phone });
		expect(await outcome(caller.operators.create({ name: '新人', phone, roleIds: [] }))).toEqual({ code: 'CONFLICT', message: 'operators.phoneTaken' });

		await caller.operators.delete({ id: old.id });
		const { id } = await caller.operators.create({ name: '新人', phone, roleIds: [] });
		expect(id).not.toBe(old.id);
		expect((await caller.operators.list({ filter: { phone } })).rows.map((r) => r.name)).toEqual(['新人']);
		// the newcomer's own password signs in as them; the old one is nobody's
		await db.updateTable('staff').set({ password_hash: (await db.selectFrom('staff').select('password_hash').where('id', '=', old.id).executeTakeFirstOrThrow()).password_hash }).where('id', '=', id).execute();
		const signed = await signIn(db, { merchantNo: merchant.merchant_no, phone, password: PASSWORD }, origin());
		expect(signed.ok && signed.staff.id).toBe(id);
		// still one living operator per phone
		expect(await outcome(caller.operators.create({ name: '第三人', phone, roleIds: [] }))).toEqual({ code: 'CONFLICT', message: 'operators.phoneTaken' });
	});
});

describe('who may delete', () => {
	it('never the admin: their own id and another merchant’s admin are NOT_FOUND; the row is unchanged', async () => {
		const { caller, admin } = await adminWorld(db);
		const other = await adminWorld(db);
		const before = await db.selectFrom('staff').selectAll().where('id', '=', admin.id).executeTakeFirstOrThrow();
		expect(await outcome(caller.operators.delete({ id: admin.id }))).toEqual(NF);
		expect(await outcome(caller.operators.delete({ id: other.admin.id }))).toEqual(NF);
		expect(await db.selectFrom('staff').selectAll().where('id', '=', admin.id).executeTakeFirstOrThrow()).toEqual(before);
		expect(await validateSessionToken(db, other.token)).not.toBeNull();
		// and the database itself refuses a deleted admin
		await expect(db.updateTable('staff').set({ deleted_at: new Date() }).where('id', '=', admin.id).execute()).rejects.toThrow(/staff_admin_not_deleted/);
	});

	it("another merchant's operator is NOT_FOUND and stays", async () => {
		const { caller } = await adminWorld(db);
		const other = await adminWorld(db);
		const foreign = await operatorWith(db, other.merchant.id, ['settings.password']);
		expect(await outcome(caller.operators.delete({ id: foreign.staff.id }))).toEqual(NF);
		expect(await validateSessionToken(db, foreign.token)).not.toBeNull();
		expect((await other.caller.operators.list({})).rows.map((r) => r.id)).toEqual([foreign.staff.id]);
	});

	it('an operator may not delete anyone, even holding every role permission', async () => {
		const { merchant } = await adminWorld(db);
		const { ROLE_PERMISSIONS } = await import('#shared/permissions.ts');
		const op = await operatorWith(db, merchant.id, [...ROLE_PERMISSIONS]);
		const colleague = await makeStaff(db, merchant.id);
		const forbidden = { code: 'FORBIDDEN', message: 'error.forbidden' };
		expect(await outcome(op.caller.operators.delete({ id: colleague.id }))).toEqual(forbidden);
		expect(await outcome(op.caller.operators.delete({ id: op.staff.id }))).toEqual(forbidden);
		const rows = await db.selectFrom('staff').select('deleted_at').where('id', 'in', [colleague.id, op.staff.id]).execute();
		expect(rows).toEqual([{ deleted_at: null }, { deleted_at: null }]);
	});

	it('needs step-up: a session that last proved its person six minutes ago is refused and nothing changes', async () => {
		const { merchant, token, auth } = await adminWorld(db);
		const op = await makeStaff(db, merchant.id);
		const role = await makeRole(db, merchant.id, ['settings.password'], { staffIds: [op.id] });
		await db.updateTable('sessions').set({ verified_at: new Date(Date.now() - 6 * 60_000) }).where('id', '=', auth.sessionId).execute();
		const stale = (await validateSessionToken(db, token))!.auth;
		expect(await refusal(callerFor(db, stale).operators.delete({ id: op.id }))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		const row = await db.selectFrom('staff').select('deleted_at').where('id', '=', op.id).executeTakeFirstOrThrow();
		expect(row.deleted_at).toBeNull();
		expect(await db.selectFrom('staff_roles').select('role_id').where('staff_id', '=', op.id).execute()).toEqual([{ role_id: role.id }]);

		await callerFor(db, stale).auth.stepUp({ method: 'password', value: PASSWORD });
		await callerFor(db, (await validateSessionToken(db, token))!.auth).operators.delete({ id: op.id });
		expect((await db.selectFrom('staff').select('deleted_at').where('id', '=', op.id).executeTakeFirstOrThrow()).deleted_at).toBeInstanceOf(Date);
	});
});
