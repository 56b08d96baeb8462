import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getDb } from '#db';
import { writeAudit } from '#shared/server/audit.ts';
import { clearPrefix } from '#shared/server/auth/throttle.ts';
import { MessageParams } from '#shared/server/api/init.ts';
import { hashPassword, verifyPassword } from '#shared/server/auth/password.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor } from '../fixtures/context.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { signInFrom } from './attempt.ts';

const db = getDb();
// Each test signs in from an address of its own: these tests are about accounts, and the
// per-address limit (tests/auth/ip-throttle.test.ts) would otherwise add up across them.
let nextIp = 1;
const origin = { ip: '', userAgent: 'vitest' };
beforeEach(() => {
	origin.ip = `203.0.113.${nextIp++}`;
});

async function account(opts: Parameters<typeof makeStaff>[2] = {}, merchantStatus: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE') {
	const merchant = await makeMerchant(db, { status: merchantStatus });
	const staff = await makeStaff(db, merchant.id, opts);
	return { merchant, staff, creds: { merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD } };
}

const attempt = (input: { merchantNo: string; phone: string; password: string }) => signInFrom(db, origin.ip, input);

async function auditOf(staffOrMerchant: { staffId?: bigint; merchantId?: bigint }) {
	let q = db.selectFrom('audit_log').selectAll().orderBy('id');
	if (staffOrMerchant.staffId) q = q.where('staff_id', '=', staffOrMerchant.staffId);
	if (staffOrMerchant.merchantId) q = q.where('merchant_id', '=', staffOrMerchant.merchantId);
	return q.execute();
}

afterEach(() => {
	delete process.env.LOGIN_MAX_FAILURES;
	delete process.env.LOGIN_LOCK_MINUTES;
	delete process.env.LOGIN_ACCOUNT_MAX_FAILURES;
});

describe('auth.signIn', () => {
	it('signs in: sets an HttpOnly Lax session cookie whose token is a valid session', async () => {
		const { staff, creds } = await account({ mustChangePassword: false });
		const r = await attempt(creds);
		expect(r.ok && r.out).toEqual({ mustChangePassword: false });
		expect(r.cookies).toHaveLength(1);
		const cookie = r.cookies[0];
		expect(cookie.name).toBe('session');
		expect(cookie.opts).toMatchObject({ path: '/', httpOnly: true, sameSite: 'lax' });
		expect(cookie.opts.expires!.getTime()).toBeGreaterThan(Date.now());
		const session = await validateSessionToken(db, cookie.value);
		expect(session?.auth.staff.id).toBe(staff.id);
	});

	it('tells a first sign-in to change the initial password', async () => {
		const { creds } = await account({ mustChangePassword: true });
		const r = await attempt(creds);
		expect(r.ok && r.out.mustChangePassword).toBe(true);
	});

	it('unknown merchant, unknown phone and wrong password all give the same answer', async () => {
		const { creds } = await account();
		const outcomes = await Promise.all([
			attempt({ ...creds, merchantNo: '9999999999999999' }),
			attempt({ ...creds, phone: '13000000000' }),
			attempt({ ...creds, password: 'wrong-password' })
		]);
		expect(outcomes.map((r) => (r.ok ? 'signed in' : { code: r.error.code, message: r.error.message, cookies: r.cookies }))).toEqual(
			Array(3).fill({ code: 'UNAUTHORIZED', message: 'auth.invalidCredentials', cookies: [] })
		);
	});

	it('an unknown account is checked against a password hash like a real one (the dummy verify)', async () => {
		// Not timed (that flakes on a shared machine): with the hashing gate full, an answer that
		// needs a hash check is "busy", so an unknown account answering busy proves it hashes too.
		const { creds } = await account();
		const costly = (await hashPassword('holder')).replace(/,t=\d+,/, ',t=60,');
		process.env.HASH_CONCURRENCY = '1';
		process.env.HASH_QUEUE = '1';
		// One check holds the only slot, one the only queue place, for far longer than a sign-in's queries.
		const holders = [verifyPassword(costly, 'x'), verifyPassword(costly, 'x')];
		try {
			const unknown = await attempt({ ...creds, merchantNo: '9999999999999998' });
			const wrong = await attempt({ ...creds, password: 'nope' });
			expect([unknown, wrong].map((r) => !r.ok && [r.error.code, r.error.message])).toEqual(Array(2).fill(['TOO_MANY_REQUESTS', 'auth.busy']));
		} finally {
			await Promise.all(holders);
			delete process.env.HASH_CONCURRENCY;
			delete process.env.HASH_QUEUE;
		}
		const later = await attempt({ ...creds, merchantNo: '9999999999999998' });
		expect(!later.ok && later.error.message).toBe('auth.invalidCredentials');
	});

	it('rejects badly shaped input before touching the database', async () => {
		const r = await attempt({ merchantNo: '123', phone: '13800000000', password: 'x' });
		expect(!r.ok && r.error.code).toBe('BAD_REQUEST');
	});

	it('picks the account by merchant number when one phone exists under two merchants', async () => {
		const phone = '13712345678';
		const a = await makeMerchant(db, { name: '商户甲' });
		const b = await makeMerchant(db, { name: '商户乙' });
		const staffA = await makeStaff(db, a.id, { phone, password: 'Password-A1' });
		const staffB = await makeStaff(db, b.id, { phone, password: 'Password-B2' });

		const ra = await attempt({ merchantNo: a.merchant_no, phone, password: 'Password-A1' });
		const rb = await attempt({ merchantNo: b.merchant_no, phone, password: 'Password-B2' });
		expect(ra.ok && rb.ok).toBe(true);
		const sa = await validateSessionToken(db, ra.cookies[0].value);
		const sb = await validateSessionToken(db, rb.cookies[0].value);
		expect(sa?.auth.staff).toMatchObject({ id: staffA.id, merchantId: a.id, merchantName: '商户甲' });
		expect(sb?.auth.staff).toMatchObject({ id: staffB.id, merchantId: b.id, merchantName: '商户乙' });

		// A's number with B's password is just a wrong password (and counts against A only).
		const cross = await attempt({ merchantNo: a.merchant_no, phone, password: 'Password-B2' });
		expect(!cross.ok && cross.error.message).toBe('auth.invalidCredentials');
		const rows = await db.selectFrom('staff').select(['id', 'failed_attempts']).where('phone', '=', phone).execute();
		expect(rows.find((r) => r.id === staffA.id)?.failed_attempts).toBe(1);
		expect(rows.find((r) => r.id === staffB.id)?.failed_attempts).toBe(0);
	});

	it('a disabled person learns it only with the right password', async () => {
		const { creds } = await account({ status: 'DISABLED' });
		const wrong = await attempt({ ...creds, password: 'wrong' });
		expect(!wrong.ok && wrong.error.message).toBe('auth.invalidCredentials');
		const right = await attempt(creds);
		expect(!right.ok && [right.error.code, right.error.message]).toEqual(['FORBIDDEN', 'auth.staffDisabled']);
		expect(right.cookies).toEqual([]);
	});

	it('a suspended merchant refuses sign-in after the right password', async () => {
		const { creds } = await account({}, 'SUSPENDED');
		const r = await attempt(creds);
		expect(!r.ok && r.error.message).toBe('auth.merchantSuspended');
	});
});

/** When the account may next be tried from this address (the per-address lock), or null. */
async function addressLockUntil(merchantNo: string, phone: string, ip: string): Promise<Date | null> {
	const { rows } = await sql<{ until: Date | null }>`
		SELECT CASE WHEN attempts >= ${Number(process.env.LOGIN_MAX_FAILURES ?? 5)} THEN window_start + ${`${Number(process.env.LOGIN_LOCK_MINUTES ?? 15)} minutes`}::interval END AS until
		FROM auth_throttle WHERE key = ${`signin:acct:${merchantNo}:${phone}:${ip}`}`.execute(db);
	return rows[0]?.until ?? null;
}

describe('lockout', () => {
	it('locks the account for this address after 5 wrong passwords, for 15 minutes; the right password is refused while locked', async () => {
		const { staff, creds } = await account();
		const first = Date.now();
		for (let i = 1; i <= 4; i++) {
			const r = await attempt({ ...creds, password: `wrong-${i}` });
			expect(!r.ok && r.error.message).toBe('auth.invalidCredentials');
		}
		const fifth = await attempt({ ...creds, password: 'wrong-5' });
		const last = Date.now();
		expect(fifth.ok).toBe(false);
		const fifthError = (fifth as { error: TRPCError }).error;
		expect(fifthError.code).toBe('TOO_MANY_REQUESTS');
		expect(fifthError.message).toBe('auth.locked');
		expect((fifthError.cause as MessageParams).params.until).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

		const until = await addressLockUntil(creds.merchantNo, creds.phone, origin.ip);
		// 15 minutes from the first failure: bracketed by clock readings, not by how long the tries took.
		expect(until!.getTime()).toBeGreaterThanOrEqual(first + 15 * 60_000 - 1000);
		expect(until!.getTime()).toBeLessThanOrEqual(last + 15 * 60_000 + 1000);

		const right = await attempt(creds);
		expect(right.ok).toBe(false);
		expect((right as { error: TRPCError }).error.message).toBe('auth.locked');
		expect(right.cookies).toEqual([]);

		// the lock time is over
		await sql`UPDATE auth_throttle SET window_start = window_start - interval '15 minutes 1 second' WHERE key = ${`signin:acct:${creds.merchantNo}:${creds.phone}:${origin.ip}`}`.execute(db);
		const after = await attempt(creds);
		expect(after.ok).toBe(true);
		const reset = await db.selectFrom('staff').select(['locked_until', 'failed_attempts']).where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(reset).toEqual({ locked_until: null, failed_attempts: 0 });
		expect(await addressLockUntil(creds.merchantNo, creds.phone, origin.ip)).toBeNull();
	});

	it('a stranger who locks an account locks out only their own address: the owner elsewhere signs in', async () => {
		const { staff, creds } = await account();
		for (let i = 1; i <= 5; i++) await attempt({ ...creds, password: `guess-${i}` });
		expect(((await attempt(creds)) as { error: TRPCError }).error.message).toBe('auth.locked');
		const row = await db.selectFrom('staff').select(['locked_until', 'failed_attempts']).where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row.locked_until).toBeNull();
		expect(row.failed_attempts).toBe(5);

		expect(await callerFor(db, null, { ip: '192.0.2.200' }).auth.signIn(creds)).toEqual({ mustChangePassword: false });
	});

	it('locks the account for everyone after LOGIN_ACCOUNT_MAX_FAILURES wrong passwords from any addresses, until 解锁', async () => {
		process.env.LOGIN_ACCOUNT_MAX_FAILURES = '3';
		const { staff, creds } = await account();
		const from = async (ip: string, password: string) => {
			return callerFor(db, null, { ip }).auth.signIn({ ...creds, password }).then(
				() => 'ok',
				(e: TRPCError) => e.message
			);
		};
		expect(await from('198.18.0.1', 'wrong-1')).toBe('auth.invalidCredentials');
		expect(await from('198.18.0.2', 'wrong-2')).toBe('auth.invalidCredentials');
		const before = Date.now();
		expect(await from('198.18.0.3', 'wrong-3')).toBe('auth.locked');
		const row = await db.selectFrom('staff').select('locked_until').where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row.locked_until!.getTime() - before).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
		expect(await from('198.18.0.4', PASSWORD)).toBe('auth.locked');

		// What 解锁 does: the account is open again.
		await db.updateTable('staff').set({ failed_attempts: 0, locked_until: null }).where('id', '=', staff.id).execute();
		expect(await from('198.18.0.4', PASSWORD)).toBe('ok');
	});

	it('a success resets the count of consecutive failures', async () => {
		const { staff, creds } = await account();
		for (let i = 0; i < 4; i++) await attempt({ ...creds, password: 'wrong' });
		expect((await attempt(creds)).ok).toBe(true);
		for (let i = 0; i < 4; i++) {
			const r = await attempt({ ...creds, password: 'wrong' });
			expect(!r.ok && r.error.message).toBe('auth.invalidCredentials');
		}
		const row = await db.selectFrom('staff').select('failed_attempts').where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row.failed_attempts).toBe(4);
	});

	it('concurrent wrong passwords all count: exactly one of five says locked, and the account stays locked', async () => {
		const { creds } = await account();
		const results = await Promise.all(Array.from({ length: 5 }, () => attempt({ ...creds, password: 'wrong' })));
		expect(results.filter((r) => !r.ok && r.error.message === 'auth.locked')).toHaveLength(1);
		expect(results.filter((r) => !r.ok && r.error.message === 'auth.invalidCredentials')).toHaveLength(4);
		expect((await addressLockUntil(creds.merchantNo, creds.phone, origin.ip))!.getTime()).toBeGreaterThan(Date.now());
		expect(((await attempt(creds)) as { error: TRPCError }).error.message).toBe('auth.locked');
	});

	it('honours LOGIN_MAX_FAILURES and LOGIN_LOCK_MINUTES', async () => {
		process.env.LOGIN_MAX_FAILURES = '2';
		process.env.LOGIN_LOCK_MINUTES = '1';
		const { creds } = await account();
		const first = Date.now();
		await attempt({ ...creds, password: 'wrong' });
		const second = await attempt({ ...creds, password: 'wrong' });
		const after = Date.now();
		expect(!second.ok && second.error.message).toBe('auth.locked');
		const until = (await addressLockUntil(creds.merchantNo, creds.phone, origin.ip))!.getTime();
		// One minute from the first failure (bracketed by clock readings taken around the tries).
		expect(until).toBeGreaterThanOrEqual(first + 60_000 - 1000);
		expect(until).toBeLessThanOrEqual(after + 60_000 + 1000);
	});
});

describe('sign-in log', () => {
	it('writes a row for every checked attempt, ok and failed, with the reason; none to the audit log', async () => {
		process.env.LOGIN_MAX_FAILURES = '2';
		const { merchant, staff, creds } = await account();
		await attempt({ ...creds, password: 'wrong' });
		await attempt({ ...creds, password: 'wrong' }); // locks
		await attempt(creds); // refused before any check: no row
		await clearPrefix(db, `signin:acct:${creds.merchantNo}:${creds.phone}:`);
		await attempt(creds); // ok
		await attempt({ ...creds, phone: '13000000001' }); // unknown phone of this merchant

		const rows = await db.selectFrom('sign_in_log').selectAll().where('merchant_id', '=', merchant.id).orderBy('id').execute();
		expect(rows.map((r) => [r.event, r.ok, r.reason])).toEqual([
			['signIn', false, 'badPassword'],
			['signIn', false, 'badPasswordLocked'],
			['signIn', true, null],
			['signIn', false, 'unknownPhone']
		]);
		expect(rows[2]).toMatchObject({ staff_id: staff.id, ip: origin.ip, user_agent: 'vitest' });
		// the phone is kept masked
		expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(staff.phone);
		expect(await auditOf({ merchantId: merchant.id })).toEqual([]);
	});

	it('records an attempt on an unknown merchant without a merchant id', async () => {
		const ip = origin.ip;
		await attempt({ merchantNo: '8888777766665555', phone: '13800001111', password: 'whatever' });
		const rows = await db.selectFrom('sign_in_log').selectAll().where('ip', '=', ip).execute();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ merchant_id: null, staff_id: null, ok: false, reason: 'unknownMerchant', phone: '138****1111' });
	});
});

describe('audit', () => {
	it('the audit log is append-only', async () => {
		const { merchant, staff } = await account();
		await writeAudit(db, { merchantId: merchant.id, staffId: staff.id, action: 'auth.signOut' });
		await expect(db.updateTable('audit_log').set({ action: 'x' }).execute()).rejects.toThrow(/append-only/);
		await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
	});
});
