// The auth router's signed-in procedures, and what the permission gate lets through for
// signed-out people and people who must still change their initial password. Procedures are
// called without input: the gate runs before input parsing.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { ALL_PERMISSIONS } from '#shared/permissions.ts';
import type { Meta } from '#shared/server/api/init.ts';
import { appRouter, createCaller } from '#shared/server/api/root.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor, contextFor, sessionOf, type RecordedCookie } from '../fixtures/context.ts';
import { makeMerchant, makeRole, makeStaff } from '../fixtures/merchant.ts';
import { callPath, outcome } from '../fixtures/outcome.ts';

const db = getDb();
const origin = { ip: '203.0.113.7', userAgent: 'vitest' };

async function signedIn(opts: Parameters<typeof makeStaff>[2] = {}, permissions?: string[]) {
	const merchant = await makeMerchant(db, { name: '测试商户' });
	const staff = await makeStaff(db, merchant.id, opts);
	if (permissions) await makeRole(db, merchant.id, permissions, { staffIds: [staff.id] });
	return { merchant, staff, ...(await sessionOf(db, staff.id, origin)) };
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>);

describe('auth.me', () => {
	it('tells who is signed in, for which merchant, with which permissions', async () => {
		const { merchant, auth } = await signedIn({ name: '王五' }, ['payments.read', 'settings.password']);
		expect(await callerFor(db, auth).auth.me()).toEqual({
			name: '王五',
			merchantName: '测试商户',
			merchantNo: merchant.merchant_no,
			isAdmin: false,
			permissions: ['payments.read', 'settings.password'],
			mustChangePassword: false
		});
	});

	it('the admin has every permission', async () => {
		const { auth } = await signedIn({ isAdmin: true });
		const me = await callerFor(db, auth).auth.me();
		expect(me.isAdmin).toBe(true);
		expect(me.permissions).toEqual(ALL_PERMISSIONS);
	});
});

describe('auth.signOut', () => {
	it('ends the session, clears the cookie and writes the audit log; afterwards the person is UNAUTHORIZED', async () => {
		const { staff, token, auth } = await signedIn();
		const cookies: RecordedCookie[] = [];
		const ctx = contextFor(db, auth, { cookies });
		expect(await createCaller(ctx).auth.signOut()).toEqual({ ok: true });
		expect(cookies).toEqual([{ name: 'session', value: '', opts: expect.objectContaining({ path: '/', maxAge: 0 }) }]);
		expect(await validateSessionToken(db, token)).toBeNull();
		const audit = await db.selectFrom('audit_log').selectAll().where('staff_id', '=', staff.id).where('action', '=', 'auth.signOut').execute();
		expect(audit).toHaveLength(1);

		// the next request resolves no session: every protected procedure answers UNAUTHORIZED
		const after = callerFor(db, null);
		expect(await outcome(after.auth.me())).toEqual({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
		expect(await outcome(after.auth.signOut())).toEqual({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
	});

	it('another sign-in replaces the session this browser had', async () => {
		const { merchant, staff, token, auth } = await signedIn({ password: 'Again#2026' });
		const cookies: RecordedCookie[] = [];
		const ctx = contextFor(db, auth, { cookies });
		await createCaller(ctx).auth.signIn({ merchantNo: merchant.merchant_no, phone: staff.phone, password: 'Again#2026' });
		expect(await validateSessionToken(db, token)).toBeNull();
		expect(await validateSessionToken(db, cookies[0].value)).not.toBeNull();
	});
});

describe('the gate over the whole app router', () => {
	it('signed out: every non-public procedure is UNAUTHORIZED', async () => {
		const caller = callerFor(db, null);
		const wrong: string[] = [];
		for (const [path, proc] of procedures) {
			if (proc._def.meta?.permission === 'public') continue;
			const r = await outcome(callPath(caller, path));
			if (r === 'ok' || r.code !== 'UNAUTHORIZED') wrong.push(`${path}: ${JSON.stringify(r)}`);
		}
		expect(wrong).toEqual([]);
	});

	it('must change the initial password: only allowPendingPasswordChange procedures run, even for the admin', async () => {
		const { auth } = await signedIn({ isAdmin: true, mustChangePassword: true });
		const caller = callerFor(db, auth);
		const wrong: string[] = [];
		let refused = 0;
		for (const [path, proc] of procedures) {
			const meta = proc._def.meta;
			if (meta?.permission === 'public' || meta?.allowPendingPasswordChange) continue;
			const r = await outcome(callPath(caller, path));
			if (r === 'ok' || r.code !== 'FORBIDDEN' || r.message !== 'error.mustChangePassword') wrong.push(`${path}: ${JSON.stringify(r)}`);
			else refused++;
		}
		expect(wrong).toEqual([]);
		expect(refused).toBeGreaterThan(0);
		// …and the allowed ones do run
		expect((await caller.auth.me()).mustChangePassword).toBe(true);
		expect(await caller.auth.signOut()).toEqual({ ok: true });
	});

	it('an operator without a role holds nothing but the authenticated procedures', async () => {
		const { auth } = await signedIn();
		const caller = callerFor(db, auth);
		for (const [path, proc] of procedures) {
			const permission = proc._def.meta?.permission;
			if (!permission || permission === 'public' || permission === 'authenticated') continue;
			expect([path, await outcome(callPath(caller, path))]).toEqual([path, { code: 'FORBIDDEN', message: 'error.forbidden' }]);
		}
	});
});
