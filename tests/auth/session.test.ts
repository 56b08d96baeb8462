import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createPool, getDb, type DB } from '#db';
import { ALL_PERMISSIONS } from '#shared/permissions.ts';
import {
	createSession,
	invalidateSession,
	invalidateStaffSessions,
	validateSessionToken
} from '#shared/server/auth/session.ts';
import { makeMerchant, makeRole, makeStaff } from '../fixtures/merchant.ts';

const db = getDb();
const origin = { ip: '198.51.100.1', userAgent: 'vitest' };
const MIN = 60_000;

async function freshStaff(opts: Parameters<typeof makeStaff>[2] = {}) {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, opts);
	return { merchant, staff };
}

async function setTimes(sessionId: string, expiresAt: Date, absoluteExpiresAt?: Date) {
	await db
		.updateTable('sessions')
		.set({ expires_at: expiresAt, ...(absoluteExpiresAt ? { absolute_expires_at: absoluteExpiresAt } : {}) })
		.where('id', '=', sessionId)
		.execute();
}

beforeEach(() => {
	delete process.env.SESSION_IDLE_MINUTES;
	delete process.env.SESSION_ABSOLUTE_HOURS;
});

describe('createSession', () => {
	it('stores only the SHA-256 of a 20-byte base32 token, with idle and absolute expiries', async () => {
		const { staff } = await freshStaff();
		const before = Date.now();
		const { token, session } = await createSession(db, staff.id, origin);
		expect(token).toMatch(/^[a-z2-7]{32}$/);
		expect(session.id).toBe(encodeHexLowerCase(sha256(new TextEncoder().encode(token))));
		const row = await db.selectFrom('sessions').selectAll().where('staff_id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row.id).toBe(session.id);
		expect(row.id).not.toContain(token);
		expect(row.ip).toBe(origin.ip);
		expect(row.expires_at.getTime() - before).toBeGreaterThanOrEqual(30 * MIN - 1000);
		expect(row.expires_at.getTime() - before).toBeLessThanOrEqual(30 * MIN + 5000);
		expect(row.absolute_expires_at.getTime() - before).toBeGreaterThanOrEqual(12 * 60 * MIN - 1000);
		expect(row.absolute_expires_at.getTime() - before).toBeLessThanOrEqual(12 * 60 * MIN + 5000);
	});

	it('honours SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS', async () => {
		process.env.SESSION_IDLE_MINUTES = '5';
		process.env.SESSION_ABSOLUTE_HOURS = '1';
		const { staff } = await freshStaff();
		const before = Date.now();
		const { session } = await createSession(db, staff.id, origin);
		expect(session.expiresAt.getTime() - before).toBeGreaterThanOrEqual(5 * MIN - 1000);
		expect(session.expiresAt.getTime() - before).toBeLessThanOrEqual(5 * MIN + 5000);
		expect(session.absoluteExpiresAt.getTime() - before).toBeLessThanOrEqual(60 * MIN + 5000);
	});

	it('two sessions of one person get different tokens', async () => {
		const { staff } = await freshStaff();
		const a = await createSession(db, staff.id, origin);
		const b = await createSession(db, staff.id, origin);
		expect(a.token).not.toBe(b.token);
		expect(a.session.id).not.toBe(b.session.id);
	});
});

describe('validateSessionToken', () => {
	it('resolves the person, the merchant and the permissions of enabled roles', async () => {
		const { merchant, staff } = await freshStaff({ name: '李四', phone: '13911112222' });
		await makeRole(db, merchant.id, ['payments.read', 'settings.password'], { staffIds: [staff.id] });
		await makeRole(db, merchant.id, ['refunds.read', 'payments.read', 'not.a.permission'], { staffIds: [staff.id] });
		await makeRole(db, merchant.id, ['keys.wechat.write'], { staffIds: [staff.id], status: 'DISABLED' });
		await makeRole(db, merchant.id, ['users.read']); // not attached
		const { token, session } = await createSession(db, staff.id, origin);

		const result = await validateSessionToken(db, token);
		expect(result).not.toBeNull();
		const auth = result!.auth;
		expect(auth.sessionId).toBe(session.id);
		expect(auth.staff).toEqual({
			id: staff.id,
			merchantId: merchant.id,
			merchantNo: merchant.merchant_no,
			merchantName: merchant.name,
			name: '李四',
			phone: '13911112222',
			email: null,
			isAdmin: false,
			mustChangePassword: false
		});
		expect([...auth.permissions].sort()).toEqual(['payments.read', 'refunds.read', 'settings.password']);
		expect(result!.renewed).toBe(false);
	});

	it('a disabled role grants nothing', async () => {
		const { merchant, staff } = await freshStaff();
		const role = await makeRole(db, merchant.id, ['payments.read'], { staffIds: [staff.id] });
		const { token } = await createSession(db, staff.id, origin);
		expect((await validateSessionToken(db, token))!.auth.permissions.has('payments.read')).toBe(true);
		await db.updateTable('roles').set({ status: 'DISABLED' }).where('id', '=', role.id).execute();
		expect([...(await validateSessionToken(db, token))!.auth.permissions]).toEqual([]);
	});

	it('the admin holds every permission, with or without roles', async () => {
		const { staff } = await freshStaff({ isAdmin: true });
		const { token } = await createSession(db, staff.id, origin);
		const auth = (await validateSessionToken(db, token))!.auth;
		expect(auth.staff.isAdmin).toBe(true);
		expect([...auth.permissions].sort()).toEqual([...ALL_PERMISSIONS].sort());
	});

	it('loads everything in one query when the session does not slide', async () => {
		const { merchant, staff } = await freshStaff();
		await makeRole(db, merchant.id, ['payments.read'], { staffIds: [staff.id] });
		const { token } = await createSession(db, staff.id, origin);
		const queries: string[] = [];
		const counted = new Kysely<DB>({
			dialect: new PostgresDialect({ pool: createPool(undefined, 1) }),
			log: (e) => void queries.push(e.query.sql)
		});
		try {
			expect(await validateSessionToken(counted, token)).not.toBeNull();
		} finally {
			await counted.destroy();
		}
		expect(queries).toHaveLength(1);
		expect(queries[0]).toMatch(/array_agg/);
	});

	it('refuses an unknown or malformed token', async () => {
		expect(await validateSessionToken(db, 'abcdefghijklmnopqrstuvwxyz234567')).toBeNull();
		expect(await validateSessionToken(db, '')).toBeNull();
		expect(await validateSessionToken(db, 'x'.repeat(5000))).toBeNull();
	});

	it('idle expiry: a session not used within SESSION_IDLE_MINUTES is refused and deleted', async () => {
		const { staff } = await freshStaff();
		const { token, session } = await createSession(db, staff.id, origin);
		await setTimes(session.id, new Date(Date.now() - 1000));
		expect(await validateSessionToken(db, token)).toBeNull();
		expect(await db.selectFrom('sessions').select('id').where('id', '=', session.id).executeTakeFirst()).toBeUndefined();
	});

	it('absolute expiry: refused even while in active use', async () => {
		const { staff } = await freshStaff();
		const { token, session } = await createSession(db, staff.id, origin);
		await setTimes(session.id, new Date(Date.now() + 20 * MIN), new Date(Date.now() - 1000));
		expect(await validateSessionToken(db, token)).toBeNull();
	});

	it('slides the idle expiry once more than half of it is used, never past the absolute limit', async () => {
		const { staff } = await freshStaff();
		const { token, session } = await createSession(db, staff.id, origin);

		// fresh: no write
		const fresh = await validateSessionToken(db, token);
		expect(fresh!.renewed).toBe(false);

		// 20 of 30 minutes used: slides to now + 30 min
		await setTimes(session.id, new Date(Date.now() + 10 * MIN));
		const before = Date.now();
		const slid = await validateSessionToken(db, token);
		expect(slid!.renewed).toBe(true);
		expect(slid!.auth.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30 * MIN - 1000);
		const row = await db.selectFrom('sessions').select('expires_at').where('id', '=', session.id).executeTakeFirstOrThrow();
		expect(row.expires_at.getTime()).toBe(slid!.auth.expiresAt.getTime());

		// near the absolute limit: slides only up to it
		const absolute = new Date(Date.now() + 12 * MIN);
		await setTimes(session.id, new Date(Date.now() + 5 * MIN), absolute);
		const capped = await validateSessionToken(db, token);
		expect(capped!.renewed).toBe(true);
		expect(capped!.auth.expiresAt.getTime()).toBe(absolute.getTime());
	});

	it('refuses a disabled person and a suspended merchant', async () => {
		const a = await freshStaff();
		const tokenA = (await createSession(db, a.staff.id, origin)).token;
		await db.updateTable('staff').set({ status: 'DISABLED' }).where('id', '=', a.staff.id).execute();
		expect(await validateSessionToken(db, tokenA)).toBeNull();

		const b = await freshStaff();
		const tokenB = (await createSession(db, b.staff.id, origin)).token;
		await db.updateTable('merchants').set({ status: 'SUSPENDED' }).where('id', '=', b.merchant.id).execute();
		expect(await validateSessionToken(db, tokenB)).toBeNull();
	});

	it('sees a password change requirement at once', async () => {
		const { staff } = await freshStaff({ mustChangePassword: true });
		const { token } = await createSession(db, staff.id, origin);
		expect((await validateSessionToken(db, token))!.auth.staff.mustChangePassword).toBe(true);
	});
});

describe('invalidation', () => {
	it('invalidateSession ends one session', async () => {
		const { staff } = await freshStaff();
		const a = await createSession(db, staff.id, origin);
		const b = await createSession(db, staff.id, origin);
		await invalidateSession(db, a.session.id);
		expect(await validateSessionToken(db, a.token)).toBeNull();
		expect(await validateSessionToken(db, b.token)).not.toBeNull();
	});

	it('invalidateStaffSessions ends every session of one person only (optionally keeping one)', async () => {
		const one = await freshStaff();
		const other = await freshStaff();
		const a = await createSession(db, one.staff.id, origin);
		const b = await createSession(db, one.staff.id, origin);
		const c = await createSession(db, one.staff.id, origin);
		const theirs = await createSession(db, other.staff.id, origin);

		await invalidateStaffSessions(db, one.staff.id, c.session.id);
		expect(await validateSessionToken(db, a.token)).toBeNull();
		expect(await validateSessionToken(db, b.token)).toBeNull();
		expect(await validateSessionToken(db, c.token)).not.toBeNull();

		await invalidateStaffSessions(db, one.staff.id);
		expect(await validateSessionToken(db, c.token)).toBeNull();
		expect(await validateSessionToken(db, theirs.token)).not.toBeNull();
	});
});

afterAll(() => {
	delete process.env.SESSION_IDLE_MINUTES;
	delete process.env.SESSION_ABSOLUTE_HOURS;
});
