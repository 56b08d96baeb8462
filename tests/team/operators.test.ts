// 操作员: creation with an SMS'd initial password, masked lists, info/role/password changes that end
// the operator's sessions at once, unlock, and the admin out of reach of every procedure.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { outboxText } from '#shared/server/sms/index.ts';
import { verifyPassword } from '#shared/server/auth/password.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { sessionOf } from '../fixtures/context.ts';
import { makeRole, makeStaff, randomPhone } from '../fixtures/merchant.ts';
import { errorKey, outcome } from '../fixtures/outcome.ts';
import { adminWorld, operatorWith } from './helpers.ts';

const db = getDb();
const NF = { code: 'NOT_FOUND', message: 'error.notFound' };
const origin = { ip: '203.0.113.9', userAgent: 'vitest' };

async function lastSms(phone: string) {
	return db.selectFrom('sms_outbox').selectAll().where('phone', '=', phone).orderBy('id', 'desc').executeTakeFirst();
}

function passwordIn(body: string): string {
	const m = /(?:初始密码|新密码) ([A-Za-z0-9]+)/.exec(body);
	if (!m) throw new Error(`no password in: ${body}`);
	return m[1];
}

describe('operators.create', () => {
	it('stores only a hash, must change at first sign-in, texts the password, audits without it', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		const role = await makeRole(db, merchant.id, ['payments.read', 'settings.password'], { name: '财务' });
		const phone = randomPhone();
		const { id, smsStatus } = await caller.operators.create({ name: '李四', phone, email: 'li@example.com', roleIds: [role.id] });
		expect(smsStatus).toBe('SENT');

		const staff = await db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
		expect(staff).toMatchObject({ merchant_id: merchant.id, is_admin: false, name: '李四', phone, email: 'li@example.com', must_change_password: true, status: 'ACTIVE' });

		const sms = await lastSms(phone);
		expect(sms).toMatchObject({ merchant_id: merchant.id, purpose: 'INITIAL_PASSWORD', status: 'SENT' });
		const password = passwordIn(outboxText(sms!));
		expect(sms!.body).toContain(merchant.merchant_no);
		// The stored row says a password was sent, never which.
		expect(sms!.body).toContain('初始密码 ******,');
		expect(sms!.body).not.toContain(password);
		expect(password).toMatch(/^(?=.*[A-Za-z])(?=.*[0-9]).{10}$/);
		expect(staff.password_hash).not.toContain(password);
		expect(await verifyPassword(staff.password_hash, password)).toBe(true);

		// the texted password signs in, and that person must change it first
		const signed = await signIn(db, { merchantNo: merchant.merchant_no, phone, password }, origin);
		expect(signed.ok && signed.staff.mustChangePassword).toBe(true);

		const roles = await db.selectFrom('staff_roles').select('role_id').where('staff_id', '=', id).execute();
		expect(roles.map((r) => r.role_id)).toEqual([role.id]);

		const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'operators.create').where('target_id', '=', String(id)).executeTakeFirstOrThrow();
		expect(audit).toMatchObject({ staff_id: admin.id, merchant_id: merchant.id });
		const text = JSON.stringify(audit.detail);
		expect(text).not.toContain(password);
		expect(text).not.toContain(phone);
		expect(audit.detail).toMatchObject({ before: null, after: { name: '李四', phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`, roleIds: [String(role.id)] } });
	});

	it('phone unique per merchant with a clear message (the admin’s phone included); another merchant may reuse it', async () => {
		const a = await adminWorld(db);
		const b = await adminWorld(db);
		const phone = randomPhone();
		await a.caller.operators.create({ name: '甲', phone, roleIds: [] });
		expect(await outcome(a.caller.operators.create({ name: '乙', phone, roleIds: [] }))).toEqual({ code: 'CONFLICT', message: 'operators.phoneTaken' });
		expect(await outcome(a.caller.operators.create({ name: '丙', phone: a.admin.phone, roleIds: [] }))).toEqual({ code: 'CONFLICT', message: 'operators.phoneTaken' });
		expect(await outcome(b.caller.operators.create({ name: '丁', phone, roleIds: [] }))).toBe('ok');
		// the refused attempt sent nothing
		expect(await db.selectFrom('sms_outbox').select('id').where('phone', '=', phone).execute()).toHaveLength(2);
	});

	it("refuses another merchant's role as NOT_FOUND and creates nothing", async () => {
		const a = await adminWorld(db);
		const b = await adminWorld(db);
		const foreign = await makeRole(db, b.merchant.id, ['settings.password']);
		const phone = randomPhone();
		expect(await outcome(a.caller.operators.create({ name: '甲', phone, roleIds: [foreign.id] }))).toEqual(NF);
		expect(await db.selectFrom('staff').select('id').where('phone', '=', phone).execute()).toEqual([]);
		expect(await lastSms(phone)).toBeUndefined();
	});

	it('validates name, phone and email with field messages', async () => {
		const { caller } = await adminWorld(db);
		expect(await errorKey(caller.operators.create({ name: '', phone: randomPhone(), roleIds: [] }))).toBe('operators.nameRequired');
		expect(await errorKey(caller.operators.create({ name: '甲', phone: '12345', roleIds: [] }))).toBe('operators.phoneInvalid');
		expect(await errorKey(caller.operators.create({ name: '甲', phone: randomPhone(), email: 'not mail', roleIds: [] }))).toBe('operators.emailInvalid');
	});
});

describe('operators.list / get', () => {
	it('never shows the admin, masks phones, filters by name, phone, status and role, only this merchant', async () => {
		const { caller, merchant } = await adminWorld(db);
		const other = await adminWorld(db);
		await makeStaff(db, other.merchant.id, { name: '外人' });
		const fin = await makeRole(db, merchant.id, ['payments.read', 'settings.password'], { name: '财务' });
		const a = await makeStaff(db, merchant.id, { name: '王小明', phone: '13912345678' });
		const b = await makeStaff(db, merchant.id, { name: '赵六', status: 'DISABLED' });
		await db.insertInto('staff_roles').values({ merchant_id: merchant.id, staff_id: a.id, role_id: fin.id }).execute();

		const all = await caller.operators.list({ filter: {}, page: 1, pageSize: 10 });
		expect(all.total.count).toBe(2n);
		expect(all.rows.map((r) => r.name).sort()).toEqual(['王小明', '赵六']);
		const row = all.rows.find((r) => r.id === a.id)!;
		expect(row.phone).toBe('139****5678');
		expect(row.roles).toEqual([{ id: fin.id, name: '财务', status: 'ENABLED' }]);
		expect(JSON.stringify(all.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('13912345678');

		expect((await caller.operators.list({ filter: { name: '小明' } })).rows.map((r) => r.id)).toEqual([a.id]);
		expect((await caller.operators.list({ filter: { phone: '2345' } })).rows.map((r) => r.id)).toEqual([a.id]);
		expect((await caller.operators.list({ filter: { status: 'DISABLED' } })).rows.map((r) => r.id)).toEqual([b.id]);
		expect((await caller.operators.list({ filter: { roleId: fin.id } })).rows.map((r) => r.id)).toEqual([a.id]);
		expect((await caller.operators.list({ filter: { name: '管理员' } })).total.count).toBe(0n);
	});

	it('查看信息: merchant, operator with masked phone, roles; the admin and foreign staff are NOT_FOUND', async () => {
		const { caller, merchant, admin } = await adminWorld(db, '示例商户');
		const role = await makeRole(db, merchant.id, ['settings.password'], { name: '客服' });
		const op = await makeStaff(db, merchant.id, { name: '孙七', phone: '13800001111' });
		await db.updateTable('staff').set({ email: 's@example.com' }).where('id', '=', op.id).execute();
		await db.insertInto('staff_roles').values({ merchant_id: merchant.id, staff_id: op.id, role_id: role.id }).execute();

		expect(await caller.operators.get({ id: op.id })).toMatchObject({
			merchantNo: merchant.merchant_no,
			merchantName: '示例商户',
			name: '孙七',
			phone: '138****1111',
			email: 's@example.com',
			status: 'ACTIVE',
			locked: false,
			roles: [{ id: role.id, name: '客服', status: 'ENABLED' }]
		});
		expect(await outcome(caller.operators.get({ id: admin.id }))).toEqual(NF);
		const other = await adminWorld(db);
		expect(await outcome(caller.operators.get({ id: other.admin.id }))).toEqual(NF);
	});
});

describe('changes end the operator’s sessions at once', () => {
	it('updateInfo: email and status; disabling ends the sessions and sign-in is refused; audit before/after', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);
		await caller.operators.updateInfo({ id: op.staff.id, email: 'new@example.com', status: 'ACTIVE' });
		expect(await validateSessionToken(db, op.token)).not.toBeNull(); // an email change alone keeps them signed in

		await caller.operators.updateInfo({ id: op.staff.id, email: '', status: 'DISABLED' });
		expect(await validateSessionToken(db, op.token)).toBeNull();
		expect(await db.selectFrom('sessions').select('id').where('staff_id', '=', op.staff.id).execute()).toEqual([]);
		const s = await db.selectFrom('staff').select(['email', 'status']).where('id', '=', op.staff.id).executeTakeFirstOrThrow();
		expect(s).toEqual({ email: null, status: 'DISABLED' });
		const r = await signIn(db, { merchantNo: merchant.merchant_no, phone: op.staff.phone, password: 'Right#Pass2026' }, origin);
		expect(r).toEqual({ ok: false, reason: 'staffDisabled' });

		const audits = await db.selectFrom('audit_log').select('detail').where('action', '=', 'operators.updateInfo').where('target_id', '=', String(op.staff.id)).orderBy('id').execute();
		expect(audits[1].detail).toMatchObject({ before: { email: 'new@example.com', status: 'ACTIVE' }, after: { email: null, status: 'DISABLED' } });
		expect(JSON.stringify(audits)).not.toContain('password_hash');
	});

	it('updateRoles: replaces the roles, ends the sessions; a foreign role is NOT_FOUND and changes nothing', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);
		const r2 = await makeRole(db, merchant.id, ['refunds.read', 'settings.password']);
		const other = await adminWorld(db);
		const foreign = await makeRole(db, other.merchant.id, ['settings.password']);

		expect(await outcome(caller.operators.updateRoles({ id: op.staff.id, roleIds: [r2.id, foreign.id] }))).toEqual(NF);
		expect(await validateSessionToken(db, op.token)).not.toBeNull();

		await caller.operators.updateRoles({ id: op.staff.id, roleIds: [r2.id] });
		expect(await validateSessionToken(db, op.token)).toBeNull();
		const next = await sessionOf(db, op.staff.id);
		expect([...next.auth.permissions].sort()).toEqual(['refunds.read', 'settings.password']);
		const audit = await db.selectFrom('audit_log').select('detail').where('action', '=', 'operators.updateRoles').executeTakeFirstOrThrow();
		expect(audit.detail).toMatchObject({ before: { roleIds: [String(op.role.id)] }, after: { roleIds: [String(r2.id)] } });

		await caller.operators.updateRoles({ id: op.staff.id, roleIds: [] });
		expect((await caller.operators.get({ id: op.staff.id })).roles).toEqual([]);
	});

	it('resetPassword: a new texted password, must change again, sessions end, lock cleared; the old one no longer works', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['settings.password']);
		await db.updateTable('staff').set({ failed_attempts: 3, locked_until: new Date(Date.now() + 600_000) }).where('id', '=', op.staff.id).execute();

		const res = await caller.operators.resetPassword({ id: op.staff.id });
		expect(res.smsStatus).toBe('SENT');
		expect(await validateSessionToken(db, op.token)).toBeNull();
		const sms = await lastSms(op.staff.phone);
		expect(sms?.purpose).toBe('OPERATOR_PASSWORD_RESET');
		const password = passwordIn(outboxText(sms!));
		expect(sms!.body).not.toContain(password);

		const old = await signIn(db, { merchantNo: merchant.merchant_no, phone: op.staff.phone, password: 'Right#Pass2026' }, origin);
		expect(old.ok).toBe(false);
		const fresh = await signIn(db, { merchantNo: merchant.merchant_no, phone: op.staff.phone, password }, origin);
		expect(fresh.ok && fresh.staff.mustChangePassword).toBe(true);

		const audit = await db.selectFrom('audit_log').select('detail').where('action', '=', 'operators.resetPassword').executeTakeFirstOrThrow();
		expect(JSON.stringify(audit.detail)).not.toContain(password);
	});

	it('unlock clears the failed attempts and the lock, audited', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await makeStaff(db, merchant.id);
		const until = new Date(Date.now() + 600_000);
		await db.updateTable('staff').set({ failed_attempts: 4, locked_until: until }).where('id', '=', op.id).execute();
		expect((await caller.operators.get({ id: op.id })).locked).toBe(true);
		expect((await signIn(db, { merchantNo: merchant.merchant_no, phone: op.phone, password: 'Right#Pass2026' }, origin)).ok).toBe(false);

		await caller.operators.unlock({ id: op.id });
		const s = await db.selectFrom('staff').select(['failed_attempts', 'locked_until']).where('id', '=', op.id).executeTakeFirstOrThrow();
		expect(s).toEqual({ failed_attempts: 0, locked_until: null });
		expect((await signIn(db, { merchantNo: merchant.merchant_no, phone: op.phone, password: 'Right#Pass2026' }, origin)).ok).toBe(true);
		const audit = await db.selectFrom('audit_log').select('detail').where('action', '=', 'operators.unlock').executeTakeFirstOrThrow();
		expect(audit.detail).toMatchObject({ before: { locked: true, failedAttempts: 4 }, after: { locked: false } });
	});
});

describe('the admin is out of reach', () => {
	it('no operators procedure touches the admin: each is NOT_FOUND and the admin row is unchanged', async () => {
		const { caller, admin } = await adminWorld(db);
		const before = await db.selectFrom('staff').selectAll().where('id', '=', admin.id).executeTakeFirstOrThrow();
		const id = admin.id;
		expect(await outcome(caller.operators.get({ id }))).toEqual(NF);
		expect(await outcome(caller.operators.updateInfo({ id, email: 'x@example.com', status: 'DISABLED' }))).toEqual(NF);
		expect(await outcome(caller.operators.updateRoles({ id, roleIds: [] }))).toEqual(NF);
		expect(await outcome(caller.operators.resetPassword({ id }))).toEqual(NF);
		expect(await outcome(caller.operators.unlock({ id }))).toEqual(NF);
		expect(await db.selectFrom('staff').selectAll().where('id', '=', admin.id).executeTakeFirstOrThrow()).toEqual(before);
	});

	it('an operator cannot manage anyone, even holding every role permission', async () => {
		const { merchant, admin } = await adminWorld(db);
		const { ROLE_PERMISSIONS } = await import('#shared/permissions.ts');
		const op = await operatorWith(db, merchant.id, [...ROLE_PERMISSIONS]);
		const forbidden = { code: 'FORBIDDEN', message: 'error.forbidden' };
		expect(await outcome(op.caller.operators.list({}))).toEqual(forbidden);
		expect(await outcome(op.caller.operators.get({ id: admin.id }))).toEqual(forbidden);
		expect(await outcome(op.caller.operators.updateInfo({ id: admin.id, status: 'DISABLED' }))).toEqual(forbidden);
		expect(await outcome(op.caller.roles.create({ name: '提权', permissions: ['settings.password'] }))).toEqual(forbidden);
		expect(await outcome(op.caller.audit.list({}))).toEqual(forbidden);
	});
});
