// One address failing many sign-ins, whichever accounts it names, must wait; other addresses
// and the accounts themselves are not affected, and a success does not reset the count.
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '../../db/index.ts';
import { createCaller } from '../../src/lib/server/api/root.ts';
import type { MessageParams } from '../../src/lib/server/api/init.ts';
import { pruneSignInFailures } from '../../src/lib/server/auth/ip-throttle.ts';
import { makeContext, makeMerchant, makeStaff, PASSWORD } from './fixtures.ts';

const db = getDb();
let nextIp = 1;
let ip: string;

async function account() {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, { mustChangePassword: false });
	return { staff, creds: { merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD } };
}

async function attempt(input: { merchantNo: string; phone: string; password: string }, from = ip) {
	const { ctx, cookies } = makeContext(db, null, 'zh-CN', from);
	try {
		return { ok: true as const, out: await createCaller(ctx).auth.signIn(input), cookies };
	} catch (e) {
		if (!(e instanceof TRPCError)) throw e;
		return { ok: false as const, error: e, cookies };
	}
}

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
		const audit = await db.selectFrom('audit_log').select(['action', 'detail', 'ip']).where('staff_id', '=', d.staff.id).execute();
		expect(audit).toEqual([{ action: 'auth.signInFailed', detail: expect.objectContaining({ reason: 'ipThrottled' }), ip }]);

		// Another address signs the same person in.
		expect((await attempt(d.creds, `${ip}.other`)).ok).toBe(true);
	});

	it('lets the address in again once its failures leave the 15-minute window', async () => {
		const a = await account();
		for (let i = 0; i < 3; i++) await attempt({ ...a.creds, password: `wrong-${i}` });
		expect((await attempt(a.creds)).ok).toBe(false);
		await sql`UPDATE sign_in_failures SET created_at = created_at - interval '15 minutes 1 second' WHERE ip = ${ip}`.execute(db);
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

	it('the hourly upkeep forgets failures older than a day, and only those', async () => {
		await db.insertInto('sign_in_failures').values([
			{ ip: '192.0.2.1', created_at: new Date(Date.now() - 86_400_000 - 60_000) },
			{ ip: '192.0.2.1', created_at: new Date(Date.now() - 3_600_000) }
		]).execute();
		const before = await db.selectFrom('sign_in_failures').select('id').execute();
		expect(await pruneSignInFailures(db)).toBe(1);
		expect(await db.selectFrom('sign_in_failures').select('id').execute()).toHaveLength(before.length - 1);
	});
});
