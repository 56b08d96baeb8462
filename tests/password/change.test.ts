// 修改初始密码 (the gate before and after) and 设置 → 修改密码 / 个人信息.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import type { Meta } from '#shared/server/api/init.ts';
import { appRouter, createCaller } from '#shared/server/api/root.ts';
import { createSession, validateSessionToken } from '#shared/server/auth/session.ts';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { callerFor, contextFor, sessionOf, type RecordedCookie } from '../fixtures/context.ts';
import { makeMerchant, makeRole, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { callPath, outcome } from '../fixtures/outcome.ts';

const db = getDb();
const origin = { ip: '203.0.113.9', userAgent: 'vitest' };
const NEW = 'Brand2026new';

async function signedIn(opts: Parameters<typeof makeStaff>[2] = {}, permissions?: string[]) {
	const merchant = await makeMerchant(db, { name: '测试商户' });
	const staff = await makeStaff(db, merchant.id, opts);
	if (permissions) await makeRole(db, merchant.id, permissions, { name: '财务', staffIds: [staff.id] });
	const { token, auth } = await sessionOf(db, staff.id, origin);
	const other = await createSession(db, staff.id, origin);
	return { merchant, staff, token, otherToken: other.token, auth };
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>);
const change = { oldPassword: PASSWORD, newPassword: NEW, confirmPassword: NEW };

describe('修改初始密码', () => {
	it('before the change only the change, me and sign-out get past the gate', async () => {
		const { auth } = await signedIn({ isAdmin: true, mustChangePassword: true });
		const caller = callerFor(db, auth);
		const passed: string[] = [];
		for (const [path, proc] of procedures) {
			const permission = proc._def.meta?.permission;
			if (permission === 'public') continue;
			if (path === 'auth.signOut') continue; // would end the session the loop uses
			const r = await outcome(callPath(caller, path));
			if (r === 'ok' || r.message !== 'error.mustChangePassword') passed.push(path);
		}
		expect(passed.sort()).toEqual(['auth.me', 'password.changeInitial']);
	});

	it('the change ends every session, clears the flag, audits, and the new password signs in', async () => {
		const { staff, merchant, token, otherToken, auth } = await signedIn({ mustChangePassword: true });
		const cookies: RecordedCookie[] = [];
		const ctx = contextFor(db, auth, { cookies });
		expect(await createCaller(ctx).password.changeInitial(change)).toEqual({ ok: true });
		expect(await validateSessionToken(db, token)).toBeNull();
		expect(await validateSessionToken(db, otherToken)).toBeNull();
		expect(cookies.at(-1)).toMatchObject({ name: 'session', value: '', opts: { maxAge: 0 } });
		const row = await db.selectFrom('staff').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row.must_change_password).toBe(false);
		expect(row.password_changed_at).toBeInstanceOf(Date);
		const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'password.initialChange').where('staff_id', '=', staff.id).execute();
		expect(audit).toHaveLength(1);
		const again = await signIn(db, { merchantNo: merchant.merchant_no, phone: staff.phone, password: NEW }, origin);
		expect(again.ok && again.staff.mustChangePassword).toBe(false);
	});

	it('refuses a wrong old password, the old password as new, and the phone number', async () => {
		const { staff, auth } = await signedIn({ mustChangePassword: true });
		const caller = callerFor(db, auth);
		expect(await outcome(caller.password.changeInitial({ ...change, oldPassword: 'Wrong2026x' }))).toEqual({ code: 'BAD_REQUEST', message: 'password.oldWrong' });
		expect(await outcome(caller.password.changeInitial({ oldPassword: PASSWORD, newPassword: PASSWORD, confirmPassword: PASSWORD }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'password.rule.notOld'
		});
		const withPhone = `a${staff.phone}`;
		expect(await outcome(caller.password.changeInitial({ oldPassword: PASSWORD, newPassword: withPhone, confirmPassword: withPhone }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'password.rule.notPhone'
		});
		expect(await outcome(caller.password.changeInitial({ ...change, confirmPassword: 'Other2026x' }))).toMatchObject({ code: 'BAD_REQUEST' });
		expect((await db.selectFrom('staff').select('must_change_password').where('id', '=', staff.id).executeTakeFirstOrThrow()).must_change_password).toBe(true);
		expect(await validateSessionToken(db, (await createSession(db, staff.id, origin)).token)).not.toBeNull();
	});

	it('is not a way around settings.password for someone without a pending change', async () => {
		const { auth } = await signedIn({ mustChangePassword: false }, ['payments.read']);
		expect(await outcome(callerFor(db, auth).password.changeInitial(change))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
	});

	it('signed out → UNAUTHORIZED', async () => {
		expect(await outcome(callerFor(db, null).password.changeInitial(change))).toEqual({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
	});
});

describe('设置', () => {
	it('修改密码 keeps this session and ends the others', async () => {
		const { staff, token, otherToken, auth } = await signedIn({}, ['settings.password']);
		expect(await callerFor(db, auth).settings.changePassword(change)).toEqual({ ok: true });
		expect(await validateSessionToken(db, token)).not.toBeNull();
		expect(await validateSessionToken(db, otherToken)).toBeNull();
		const audit = await db.selectFrom('audit_log').select('action').where('staff_id', '=', staff.id).where('action', '=', 'password.change').execute();
		expect(audit).toHaveLength(1);
	});

	it('修改密码 needs settings.password and the right old password', async () => {
		const { auth } = await signedIn({}, ['payments.read']);
		expect(await outcome(callerFor(db, auth).settings.changePassword(change))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		const ok = await signedIn({}, ['settings.password']);
		expect(await outcome(callerFor(db, ok.auth).settings.changePassword({ ...change, oldPassword: 'Nope2026x' }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'password.oldWrong'
		});
	});

	it('个人信息 shows the person, masked phone, email and roles', async () => {
		const { merchant, staff, auth } = await signedIn({ name: '李四' }, ['settings.profile']);
		await db.updateTable('staff').set({ email: 'li@example.com' }).where('id', '=', staff.id).execute();
		const profile = await callerFor(db, auth).settings.profile();
		expect(profile).toMatchObject({
			name: '李四',
			phone: `${staff.phone.slice(0, 3)}****${staff.phone.slice(-4)}`,
			email: 'li@example.com',
			isAdmin: false,
			roles: [{ name: '财务', enabled: true }],
			merchantNo: merchant.merchant_no,
			merchantName: '测试商户'
		});
		expect(JSON.stringify(profile)).not.toContain(staff.phone);
	});

	it('个人信息 needs settings.profile; the admin has it', async () => {
		const { auth } = await signedIn({}, ['settings.password']);
		expect(await outcome(callerFor(db, auth).settings.profile())).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		const admin = await signedIn({ isAdmin: true });
		expect((await callerFor(db, admin.auth).settings.profile()).isAdmin).toBe(true);
	});
});
