// 角色管理: names unique per merchant, permissions only from the registry with 修改密码 required,
// enable/disable with immediate effect, every change audited with before/after.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { ROLE_PERMISSIONS } from '#shared/permissions.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor } from '../fixtures/context.ts';
import { errorKey, outcome } from '../fixtures/outcome.ts';
import { adminWorld, operatorWith } from './helpers.ts';

const db = getDb();
const FINANCE = ['payments.read', 'refunds.read', 'withdrawals.read', 'flows.read', 'settings.password'] as const;

describe('roles.create', () => {
	it('creates a role with registry permissions (deduplicated, registry order) and audits it', async () => {
		const { caller, admin, merchant } = await adminWorld(db);
		const { id } = await caller.roles.create({ name: ' 财务 ', permissions: ['settings.password', 'payments.read', 'payments.read'] });
		const role = await caller.roles.get({ id });
		expect(role).toMatchObject({ id, name: '财务', status: 'ENABLED', permissions: ['payments.read', 'settings.password'] });

		const rows = await db.selectFrom('roles').selectAll().where('id', '=', id).execute();
		expect(rows[0]).toMatchObject({ merchant_id: merchant.id, updated_by: admin.id });

		const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'roles.create').where('merchant_id', '=', merchant.id).execute();
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({ staff_id: admin.id, actor_name: '管理员', target_type: 'role', target_id: String(id), ip: '203.0.113.7' });
		expect(audit[0].detail).toMatchObject({ before: null, after: { name: '财务', permissions: ['payments.read', 'settings.password'] } });
	});

	it('refuses a role without 修改密码, with a clear message', async () => {
		const { caller } = await adminWorld(db);
		expect(await errorKey(caller.roles.create({ name: '只读', permissions: ['payments.read'] }))).toBe('roles.passwordRequired');
		expect(await errorKey(caller.roles.create({ name: '空', permissions: [] }))).toBe('roles.passwordRequired');
	});

	it('refuses permissions outside the registry and the admin-only ones', async () => {
		const { caller } = await adminWorld(db);
		for (const bad of ['operators.manage', 'roles.manage', 'audit.read', 'payments.write', ''])
			expect(await errorKey(caller.roles.create({ name: `x${bad}`, permissions: ['settings.password', bad as never] }))).toBe(
				'roles.permissionUnknown'
			);
		expect(await db.selectFrom('roles').select('id').where('name', 'like', 'x%').execute()).toEqual([]);
	});

	it('names are unique per merchant (clear message), but two merchants may both have 财务', async () => {
		const a = await adminWorld(db);
		const b = await adminWorld(db);
		await a.caller.roles.create({ name: '财务', permissions: [...FINANCE] });
		const dup = await outcome(a.caller.roles.create({ name: '财务', permissions: [...FINANCE] }));
		expect(dup).toEqual({ code: 'CONFLICT', message: 'roles.nameTaken' });
		expect(await outcome(b.caller.roles.create({ name: '财务', permissions: [...FINANCE] }))).toBe('ok');
	});

	it('validates the name', async () => {
		const { caller } = await adminWorld(db);
		expect(await errorKey(caller.roles.create({ name: '  ', permissions: [...FINANCE] }))).toBe('roles.nameRequired');
		expect(await errorKey(caller.roles.create({ name: '名'.repeat(31), permissions: [...FINANCE] }))).toBe('roles.nameTooLong');
	});

	it('every permission of the registry can be granted', async () => {
		const { caller } = await adminWorld(db);
		const { id } = await caller.roles.create({ name: '全部', permissions: [...ROLE_PERMISSIONS] });
		expect((await caller.roles.get({ id })).permissions).toEqual(ROLE_PERMISSIONS);
	});
});

describe('roles.update / setStatus', () => {
	it('edits name and permissions, audits before/after, and the holder sees the change on the next request', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);
		expect((await op.caller.auth.me()).permissions).toEqual(['payments.read', 'settings.password']);

		await caller.roles.update({ id: op.role.id, name: '改名', permissions: ['refunds.read', 'settings.password'] });
		const v = await validateSessionToken(db, op.token);
		expect(v).not.toBeNull();
		expect([...v!.auth.permissions].sort()).toEqual(['refunds.read', 'settings.password']);

		const audit = await db.selectFrom('audit_log').select('detail').where('action', '=', 'roles.update').where('target_id', '=', String(op.role.id)).executeTakeFirstOrThrow();
		expect(audit.detail).toMatchObject({
			before: { permissions: ['payments.read', 'settings.password'] },
			after: { name: '改名', permissions: ['refunds.read', 'settings.password'] }
		});
	});

	it('update keeps the rules: unique name, 修改密码 required', async () => {
		const { caller } = await adminWorld(db);
		const r1 = await caller.roles.create({ name: '甲', permissions: [...FINANCE] });
		await caller.roles.create({ name: '乙', permissions: [...FINANCE] });
		expect(await outcome(caller.roles.update({ id: r1.id, name: '乙', permissions: [...FINANCE] }))).toEqual({ code: 'CONFLICT', message: 'roles.nameTaken' });
		expect(await errorKey(caller.roles.update({ id: r1.id, name: '甲', permissions: ['payments.read'] }))).toBe('roles.passwordRequired');
		expect(await outcome(caller.roles.update({ id: r1.id, name: '甲', permissions: [...FINANCE] }))).toBe('ok');
	});

	it('a disabled role grants nothing from the next request on; enabling it again restores it', async () => {
		const { caller, merchant } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['audit.read' as never, 'settings.profile', 'settings.password']);
		// the session resolves the role's permissions (admin-only ones are dropped even if stored)
		let v = await validateSessionToken(db, op.token);
		expect([...v!.auth.permissions].sort()).toEqual(['settings.password', 'settings.profile']);

		expect(await caller.roles.setStatus({ id: op.role.id, status: 'DISABLED' })).toEqual({ id: op.role.id, status: 'DISABLED' });
		v = await validateSessionToken(db, op.token);
		expect(v).not.toBeNull();
		expect([...v!.auth.permissions]).toEqual([]);
		// and the gate refuses what the role used to grant
		const after = callerFor(db, v!.auth);
		expect(await outcome(after.auth.me())).toBe('ok');
		expect((await after.auth.me()).permissions).toEqual([]);

		await caller.roles.setStatus({ id: op.role.id, status: 'ENABLED' });
		v = await validateSessionToken(db, op.token);
		expect([...v!.auth.permissions].sort()).toEqual(['settings.password', 'settings.profile']);

		const audits = await db.selectFrom('audit_log').select('detail').where('action', '=', 'roles.setStatus').where('target_id', '=', String(op.role.id)).orderBy('id').execute();
		expect(audits.map((a) => a.detail)).toEqual([
			expect.objectContaining({ before: { status: 'ENABLED' }, after: { status: 'DISABLED' } }),
			expect.objectContaining({ before: { status: 'DISABLED' }, after: { status: 'ENABLED' } })
		]);
	});

	it("another merchant's role is NOT_FOUND for get, update and setStatus", async () => {
		const a = await adminWorld(db);
		const b = await adminWorld(db);
		const { id } = await b.caller.roles.create({ name: '财务', permissions: [...FINANCE] });
		const nf = { code: 'NOT_FOUND', message: 'error.notFound' };
		expect(await outcome(a.caller.roles.get({ id }))).toEqual(nf);
		expect(await outcome(a.caller.roles.update({ id, name: '偷', permissions: [...FINANCE] }))).toEqual(nf);
		expect(await outcome(a.caller.roles.setStatus({ id, status: 'DISABLED' }))).toEqual(nf);
		expect((await b.caller.roles.get({ id })).name).toBe('财务');
	});
});

describe('roles.list', () => {
	it('filters by name and status, pages newest first, names who changed it, counts holders; only this merchant', async () => {
		const { caller, merchant } = await adminWorld(db);
		const other = await adminWorld(db);
		await other.caller.roles.create({ name: '财务外', permissions: [...FINANCE] });
		const ids: bigint[] = [];
		for (const name of ['财务一', '财务二', '客服', '运营']) ids.push((await caller.roles.create({ name, permissions: [...FINANCE] })).id);
		await caller.roles.setStatus({ id: ids[2], status: 'DISABLED' });
		await operatorWith(db, merchant.id, ['settings.password']); // a role made outside the API, no 操作人

		const all = await caller.roles.list({ filter: {}, page: 1, pageSize: 10 });
		expect(all.total.count).toBe(5n);
		expect(all.rows.map((r) => r.id)).toEqual([...all.rows.map((r) => r.id)].sort((x, y) => (x > y ? -1 : 1)));
		expect(all.rows.find((r) => r.id === ids[0])).toMatchObject({ updatedByName: '管理员', operatorCount: 0, status: 'ENABLED' });

		const fin = await caller.roles.list({ filter: { name: '财务' }, page: 1, pageSize: 10 });
		expect(fin.rows.map((r) => r.name).sort()).toEqual(['财务一', '财务二']);
		const disabled = await caller.roles.list({ filter: { status: 'DISABLED' }, page: 1, pageSize: 10 });
		expect(disabled.rows.map((r) => r.name)).toEqual(['客服']);
		const wild = await caller.roles.list({ filter: { name: '%' }, page: 1, pageSize: 10 });
		expect(wild.total.count).toBe(0n);

		const p2 = await caller.roles.list({ filter: {}, page: 2, pageSize: 10 });
		expect(p2.rows).toEqual([]);
		const emptyStatus = await caller.roles.list({ filter: { status: '' }, page: 1, pageSize: 10 });
		expect(emptyStatus.total.count).toBe(5n);
		expect(await outcome(caller.roles.list({ filter: {}, page: 1, pageSize: 7 as never /* not a page size */ }))).toMatchObject({ code: 'BAD_REQUEST' });
	});
});
