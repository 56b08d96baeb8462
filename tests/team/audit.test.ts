// 审计日志: newest first, filtered by person, action (or category) and Asia/Shanghai time; only
// this merchant; append-only (no procedure changes it, and the database refuses UPDATE/DELETE).
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { appRouter } from '#shared/server/api/root.ts';
import type { LEGACY_AUDIT_ACTIONS } from '#shared/schemas/audit.ts';
import { writeAudit, type AuditAction } from '#shared/server/audit.ts';
import { makeStaff } from '../fixtures/merchant.ts';
import { outcome } from '../fixtures/outcome.ts';
import { adminWorld } from './helpers.ts';

const db = getDb();
type LegacyAuditAction = (typeof LEGACY_AUDIT_ACTIONS)[number];

/** An entry at a given time; 'auth.signIn' is a legacy action earlier versions wrote, kept readable. */
async function entry(merchantId: bigint, staffId: bigint | null, action: AuditAction | LegacyAuditAction, at: string) {
	await writeAudit(db, { merchantId, staffId, actorName: staffId ? '某人' : null, action: action as AuditAction, detail: { at } });
	await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`.execute(db);
	try {
		await db.updateTable('audit_log').set({ created_at: new Date(at) }).where('merchant_id', '=', merchantId).where(sql<boolean>`detail @> ${JSON.stringify({ at })}::jsonb`).execute();
	} finally {
		await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`.execute(db);
	}
}

describe('audit.list', () => {
	it('filters by person, action, category and business-day range, newest first, this merchant only', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		const other = await adminWorld(db);
		const op = await makeStaff(db, merchant.id, { name: '钱八' });
		await entry(merchant.id, op.id, 'auth.signIn', '2026-03-01T15:59:59Z'); // 2026-03-01 23:59:59 Shanghai
		await entry(merchant.id, op.id, 'auth.signOut', '2026-03-01T16:00:00Z'); // 2026-03-02 00:00:00 Shanghai
		await entry(merchant.id, admin.id, 'roles.create', '2026-03-02T02:00:00Z');
		await entry(merchant.id, admin.id, 'keys.wechat.update', '2026-03-03T02:00:00Z');
		await entry(other.merchant.id, other.admin.id, 'roles.create', '2026-03-02T02:00:00Z');

		const range = { from: '2026-03-01', to: '2026-03-03' };
		const all = await caller.audit.list({ filter: range });
		expect(all.rows.map((r) => r.action)).toEqual(['keys.wechat.update', 'roles.create', 'auth.signOut', 'auth.signIn']);
		expect(all.total.count).toBe(4n);

		expect((await caller.audit.list({ filter: { ...range, staffId: op.id } })).rows.map((r) => r.action)).toEqual(['auth.signOut', 'auth.signIn']);
		expect((await caller.audit.list({ filter: { ...range, action: 'auth' } })).total.count).toBe(2n);
		expect((await caller.audit.list({ filter: { ...range, action: 'auth.signIn' } })).total.count).toBe(1n);
		expect((await caller.audit.list({ filter: { ...range, action: 'keys' } })).rows.map((r) => r.action)).toEqual(['keys.wechat.update']);
		// whole Asia/Shanghai days, `to` inclusive
		expect((await caller.audit.list({ filter: { from: '2026-03-02', to: '2026-03-02' } })).rows.map((r) => r.action)).toEqual(['roles.create', 'auth.signOut']);
		expect((await caller.audit.list({ filter: { from: '2026-03-01 23:59:59', to: '2026-03-01 23:59:59' } })).rows.map((r) => r.action)).toEqual(['auth.signIn']);
		expect(await outcome(caller.audit.list({ filter: { from: '2026-03-03', to: '2026-03-01' } }))).toEqual({ code: 'BAD_REQUEST', message: 'audit.rangeInverted' });

		const page2 = await caller.audit.list({ filter: range, page: 2, pageSize: 10 });
		expect(page2.rows).toEqual([]);
		expect(page2.total.count).toBe(4n);
	});

	it('the admin’s own changes appear with who, what and before/after', async () => {
		const { caller, admin } = await adminWorld(db);
		const { id } = await caller.roles.create({ name: '审计', permissions: ['settings.password'] });
		const { rows } = await caller.audit.list({ filter: { action: 'roles' } });
		expect(rows[0]).toMatchObject({ staffId: admin.id, actorName: '管理员', action: 'roles.create', targetType: 'role', targetId: String(id), ip: '203.0.113.7', userAgent: 'vitest' });
		expect(rows[0].detail).toMatchObject({ before: null, after: { name: '审计' } });
	});

	it('people lists everyone of the merchant, admin first', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		const op = await makeStaff(db, merchant.id, { name: '周九' });
		expect(await caller.audit.people()).toEqual([
			{ id: admin.id, name: '管理员', isAdmin: true },
			{ id: op.id, name: '周九', isAdmin: false }
		]);
	});

	it('append-only: the audit router has no mutation, and the database refuses UPDATE and DELETE', async () => {
		const types = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
			.filter(([path]) => path.startsWith('audit.'))
			.map(([path, p]) => [path, p._def.type]);
		expect(types.length).toBeGreaterThan(0);
		expect(types.every(([, type]) => type === 'query')).toBe(true);

		const { merchant } = await adminWorld(db);
		await writeAudit(db, { merchantId: merchant.id, staffId: null, action: 'roles.create' });
		await expect(db.updateTable('audit_log').set({ action: 'forged' }).where('merchant_id', '=', merchant.id).execute()).rejects.toThrow(/append-only/);
		await expect(db.deleteFrom('audit_log').where('merchant_id', '=', merchant.id).execute()).rejects.toThrow(/append-only/);
	});
});
