// One address failing many sign-ins, whichever accounts it names, must wait; other addresses
// and the accounts themselves are not affected, and a success does not reset the count.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import type { MessageParams } from '#shared/server/api/init.ts';
import { pruneThrottle } from '#shared/server/auth/throttle.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { signInFrom } from './attempt.ts';

const db = getDb();
let nextIp = 1;
let ip: string;

async function account() {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, { mustChangePassword: false });
	return { staff, creds: { merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD } };
}

const attempt = (input: { merchantNo: string; phone: string; password: string }, from = ip) => signInFrom(db, from, input);

beforeEach(() => {
	process.env.LOGIN_IP_MAX_FAILURES = '3';
	ip = `198.51.100.${nextIp++}`;
});

afterEach(() => {
	delete process.env.LOGIN_IP_MAX_FAILURES;
});

describe('failed sign-ins per address', () => {
	it('after 3 failures on three accounts, the address must wait even with a right password; the accounts stay unlocked', async () => {
		const [a, b, c, d] = [await account(), await account(), await account(), await account()];
		expect((await attempt({ ...a.creds, phone: '13000000000' })).ok).toBe(false); // unknown phone
		expect((await attempt({ ...b.creds, password: 'wrong-1' })).ok).toBe(false);
		expect((await attempt({ ...c.creds, password: 'wrong-2' })).ok).toBe(false);

		const refused = await attempt(d.creds);
		expect(refused.ok).toBe(false);
		if (refused.ok) return;
		expect(refused.error.code).toBe('TOO_MANY_REQUESTS');
		expect(refused.error.message).toBe('auth.ipThrottled');
		expect((refused.error.cause as MessageParams).params.until).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
		expect(refused.cookies).toEqual([]);

		// Nobody's account was locked or charged with the refused try.
		const rows = await db.selectFrom('staff').select(['id', 'failed_attempts', 'locked_until']).where('id', 'in', [b.staff.id, c.staff.id, d.staff.id]).orderBy('id').execute();
		expect(rows.map((r) => [r.failed_attempts, r.locked_until])).toEqual([
			[1, null],
			[1, null],
			[0, null]
		]);
		// A refused reservation writes nothing anywhere: throttled tries cannot flood any log.
		expect(await db.selectFrom('sign_in_log').select('id').where('staff_id', '=', d.staff.id).execute()).toEqual([]);
		expect(await db.selectFrom('audit_log').select('id').where('staff_id', '=', d.staff.id).execute()).toEqual([]);

		// Another address signs the same person in.
		expect((await attempt(d.creds, `${ip}.other`)).ok).toBe(true);
	});

	it('lets the address in again once its failures leave the 15-minute window', async () => {
		const a = await account();
		for (let i = 0; i < 3; i++) await attempt({ ...a.creds, password: `wrong-${i}` });
		expect((await attempt(a.creds)).ok).toBe(false);
		await sql`UPDATE auth_throttle SET window_start = window_start - interval '15 minutes 1 second' WHERE key = ${`signin:ip:${ip}`}`.execute(db);
		const r = await attempt(a.creds);
		expect(r.ok).toBe(true);
	});

	it('does not reset the count on a success: one valid account buys no more guesses at others', async () => {
		const [mine, theirs] = [await account(), await account()];
		await attempt({ ...theirs.creds, password: 'guess-1' });
		await attempt({ ...theirs.creds, password: 'guess-2' });
		expect((await attempt(mine.creds)).ok).toBe(true);
		await attempt({ ...theirs.creds, password: 'guess-3' });
		const r = await attempt({ ...theirs.creds, password: 'guess-4' });
		expect(!r.ok && r.error.message).toBe('auth.ipThrottled');
	});

	it('the hourly upkeep forgets counts untouched for a day, and only those', async () => {
		const a = await account();
		await attempt({ ...a.creds, password: 'wrong' });
		await sql`UPDATE auth_throttle SET updated_at = now() - interval '1 day 1 minute' WHERE key = ${`signin:ip:${ip}`}`.execute(db);
		const before = await db.selectFrom('auth_throttle').select('key').execute();
		expect(await pruneThrottle(db)).toBe(1);
		const after = await db.selectFrom('auth_throttle').select('key').execute();
		expect(after).toHaveLength(before.length - 1);
		expect(after.map((r) => r.key)).not.toContain(`signin:ip:${ip}`);
	});
});
