// 启用 / 停用 in bulk (issue 12, point 3): roles.setStatusMany and operators.setStatusMany change
// every chosen row in one transaction, audited per row as the single-row procedures, under the
// same permission and step-up; another merchant's id (or the admin) refuses the whole request and
// changes nothing; the admin can never disable themself; the list of ids is bounded.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor } from '../fixtures/context.ts';
import { makeRole, makeStaff } from '../fixtures/merchant.ts';
import { errorKey, refusal } from '../fixtures/outcome.ts';
import { adminWorld, operatorWith } from './helpers.ts';

const db = getDb();

async function statusOf(table: 'roles' | 'staff', ids: bigint[]) {
	const rows = await db.selectFrom(table).select(['id', 'status']).where('id', 'in', ids).orderBy('id').execute();
	return rows.map((r) => r.status);
}

async function auditOf(merchantId: bigint, action: string) {
	return db.selectFrom('audit_log').select(['target_id', 'detail', 'staff_id']).where('merchant_id', '=', merchantId).where('action', '=', action).orderBy('id').execute();
}

/** The session's last proof of its person was `minutes` ago. */
async function staleCaller(token: string, sessionId: string, minutes: number) {
	await db.updateTable('sessions').set({ verified_at: new Date(Date.now() - minutes * 60_000) }).where('id', '=', sessionId).execute();
	return callerFor(db, (await validateSessionToken(db, token))!.auth);
}

describe('roles.setStatusMany', () => {
	it('disables the chosen roles together, one audit row per role that changed; holders lose the permissions', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);
		const second = await makeRole(db, merchant.id, ['refunds.read', 'settings.password'], { name: '退款' });
		const already = await makeRole(db, merchant.id, ['settings.password'], { name: '已停', status: 'DISABLED' });
		const untouched = await makeRole(db, merchant.id, ['settings.password'], { name: '不动' });

		const r = await caller.roles.setStatusMany({ ids: [second.id, op.role.id, already.id, second.id], status: 'DISABLED' });
		expect(r).toEqual({ changed: 2, unchanged: 1 });
		expect(await statusOf('roles', [op.role.id, second.id, already.id, untouched.id])).toEqual(['DISABLED', 'DISABLED', 'DISABLED', 'ENABLED']);

		const audit = await auditOf(merchant.id, 'roles.setStatus');
		expect(audit.map((a) => a.target_id).sort()).toEqual([String(op.role.id), String(second.id)].sort());
		for (const a of audit) {
			expect(a.staff_id).toBe(admin.id);
			expect(a.detail).toMatchObject({ before: { status: 'ENABLED' }, after: { status: 'DISABLED' } });
		}
		expect(audit.find((a) => a.target_id === String(second.id))!.detail).toMatchObject({ name: '退款' });
		// the holder's next request carries no permission of the disabled role
		const v = await validateSessionToken(db, op.token);
		expect([...v!.auth.permissions]).not.toContain('payments.read');

		expect(await caller.roles.setStatusMany({ ids: [op.role.id, second.id], status: 'ENABLED' })).toEqual({ changed: 2, unchanged: 0 });
		expect(await statusOf('roles', [op.role.id, second.id])).toEqual(['ENABLED', 'ENABLED']);
	});

	it('one id of another merchant refuses the whole request as not found and changes nothing', async () => {
		const a = await adminWorld(db);
		const b = await adminWorld(db);
		const mine = await makeRole(db, a.merchant.id, ['settings.password']);
		const theirs = await makeRole(db, b.merchant.id, ['settings.password']);
		expect(await refusal(a.caller.roles.setStatusMany({ ids: [mine.id, theirs.id], status: 'DISABLED' }))).toEqual({ code: 'NOT_FOUND', message: 'error.notFound' });
		expect(await statusOf('roles', [mine.id, theirs.id])).toEqual(['ENABLED', 'ENABLED']);
		expect(await auditOf(a.merchant.id, 'roles.setStatus')).toEqual([]);
	});

	it('needs roles.manage and a recent step-up', async () => {
		const { merchant, token, auth } = await adminWorld(db);
		const role = await makeRole(db, merchant.id, ['settings.password']);
		const op = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);
		expect(await refusal(op.caller.roles.setStatusMany({ ids: [role.id], status: 'DISABLED' }))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		const stale = await staleCaller(token, auth.sessionId, 6);
		expect(await refusal(stale.roles.setStatusMany({ ids: [role.id], status: 'DISABLED' }))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		expect(await statusOf('roles', [role.id])).toEqual(['ENABLED']);
	});

	it('takes 1 to 100 ids, with a clear message beyond', async () => {
		const { caller, merchant } = await adminWorld(db);
		const role = await makeRole(db, merchant.id, ['settings.password']);
		expect(await errorKey(caller.roles.setStatusMany({ ids: [], status: 'DISABLED' }))).toBe('team.noneSelected');
		expect(await errorKey(caller.roles.setStatusMany({ ids: Array.from({ length: 101 }, (_, i) => BigInt(i + 1)), status: 'DISABLED' }))).toBe('team.tooManySelected');
		expect(await errorKey(caller.roles.setStatusMany({ ids: [role.id], status: 'GONE' as never }))).toBe('error.badInput');
		expect(await statusOf('roles', [role.id])).toEqual(['ENABLED']);
	});
});

describe('operators.setStatusMany', () => {
	it('disables the chosen operators together, ends their sessions, audits each as 变更操作员信息 and keeps their email', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		const one = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);
		const two = await operatorWith(db, merchant.id, ['refunds.read', 'settings.password']);
		await db.updateTable('staff').set({ email: 'two@example.com' }).where('id', '=', two.staff.id).execute();
		const other = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);

		expect(await caller.operators.setStatusMany({ ids: [two.staff.id, one.staff.id], status: 'DISABLED' })).toEqual({ changed: 2, unchanged: 0 });
		expect(await statusOf('staff', [one.staff.id, two.staff.id, other.staff.id])).toEqual(['DISABLED', 'DISABLED', 'ACTIVE']);
		expect(await validateSessionToken(db, one.token)).toBeNull();
		expect(await validateSessionToken(db, two.token)).toBeNull();
		expect(await validateSessionToken(db, other.token)).not.toBeNull();
		const email = await db.selectFrom('staff').select('email').where('id', '=', two.staff.id).executeTakeFirstOrThrow();
		expect(email.email).toBe('two@example.com');

		const audit = await auditOf(merchant.id, 'operators.updateInfo');
		expect(audit.map((a) => a.target_id).sort()).toEqual([String(one.staff.id), String(two.staff.id)].sort());
		for (const a of audit) {
			expect(a.staff_id).toBe(admin.id);
			expect(a.detail).toMatchObject({ before: { status: 'ACTIVE' }, after: { status: 'DISABLED' } });
		}

		// enabling them again: the one already active is left alone, unaudited
		expect(await caller.operators.setStatusMany({ ids: [one.staff.id, two.staff.id, other.staff.id], status: 'ACTIVE' })).toEqual({ changed: 2, unchanged: 1 });
		expect(await statusOf('staff', [one.staff.id, two.staff.id, other.staff.id])).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
		expect(await auditOf(merchant.id, 'operators.updateInfo')).toHaveLength(4);
	});

	it('the admin cannot disable themself, alone or among others; nothing changes', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		const op = await makeStaff(db, merchant.id);
		expect(await refusal(caller.operators.setStatusMany({ ids: [admin.id], status: 'DISABLED' }))).toEqual({ code: 'BAD_REQUEST', message: 'operators.notSelf' });
		expect(await refusal(caller.operators.setStatusMany({ ids: [op.id, admin.id], status: 'DISABLED' }))).toEqual({ code: 'BAD_REQUEST', message: 'operators.notSelf' });
		expect(await statusOf('staff', [admin.id, op.id])).toEqual(['ACTIVE', 'ACTIVE']);
		expect(await auditOf(merchant.id, 'operators.updateInfo')).toEqual([]);
	});

	it('another merchant’s operator (or another merchant’s admin) refuses the whole request as not found', async () => {
		const a = await adminWorld(db);
		const b = await adminWorld(db);
		const mine = await makeStaff(db, a.merchant.id);
		const theirs = await makeStaff(db, b.merchant.id);
		for (const foreign of [theirs.id, b.admin.id])
			expect(await refusal(a.caller.operators.setStatusMany({ ids: [mine.id, foreign], status: 'DISABLED' }))).toEqual({ code: 'NOT_FOUND', message: 'error.notFound' });
		expect(await statusOf('staff', [mine.id, theirs.id, b.admin.id])).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
	});

	it('needs operators.manage and a recent step-up; bounded like the roles', async () => {
		const { caller, merchant, token, auth } = await adminWorld(db);
		const target = await makeStaff(db, merchant.id);
		// an operator without operators.manage
		const roleManager = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);
		expect(await refusal(roleManager.caller.operators.setStatusMany({ ids: [target.id], status: 'DISABLED' }))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		const stale = await staleCaller(token, auth.sessionId, 6);
		expect(await refusal(stale.operators.setStatusMany({ ids: [target.id], status: 'DISABLED' }))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		expect(await errorKey(caller.operators.setStatusMany({ ids: [], status: 'DISABLED' }))).toBe('team.noneSelected');
		expect(await errorKey(caller.operators.setStatusMany({ ids: Array.from({ length: 101 }, (_, i) => BigInt(i + 1)), status: 'DISABLED' }))).toBe('team.tooManySelected');
		expect(await statusOf('staff', [target.id])).toEqual(['ACTIVE']);
	});
});
