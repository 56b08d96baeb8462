// The sign-in and password limits, written as the attacks: a batch of guesses, a burst of
// parallel guesses, a flood of made-up reset codes, a stolen session guessing the old password.
import { TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { POST } from '../../src/routes/api/trpc/[...trpc]/+server.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { contextFor, sessionOf } from '../fixtures/context.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { requestEvent } from '../fixtures/request-event.ts';

const db = getDb();

async function account() {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, { mustChangePassword: false, isAdmin: true });
	return { merchant, staff, creds: { merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD } };
}

function trpcPost(paths: string[], body: unknown, ip = '203.0.113.50'): Promise<Response> {
	const url = `http://localhost/api/trpc/${paths.join(',')}?batch=1`;
	const event = requestEvent(url, {
		init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
		params: { trpc: paths.join(',') },
		ip,
		locals: { auth: null, locale: 'zh-CN' }
	});
	// SvelteKit turns a thrown error(400, …) into this answer.
	const asResponse = (e: { status?: number; body?: { message?: string } }) => Response.json({ message: e.body?.message }, { status: e.status ?? 500 });
	try {
		return Promise.resolve(POST(event as never) as Response | Promise<Response>).catch(asResponse);
	} catch (e) {
		return Promise.resolve(asResponse(e as never));
	}
}

const checked = async (staffId: bigint) =>
	(await db.selectFrom('sign_in_log').select('id').where('staff_id', '=', staffId).execute()).length;

describe('sign-in guesses', () => {
	it('a batch of 30 guesses in one request is refused whole: no password is checked', async () => {
		const { staff, creds } = await account();
		const guesses = Array.from({ length: 30 }, (_, i) => ({ ...creds, password: i === 29 ? PASSWORD : `guess-${i}` }));
		const body = Object.fromEntries(guesses.map((g, i) => [i, superjson.serialize(g)]));
		const res = await trpcPost(Array(30).fill('auth.signIn'), body);
		expect(res.status).toBe(400);
		expect((await res.json()).message).toBe('此操作不能与其他请求合并发送');
		expect(await checked(staff.id)).toBe(0);
		const row = await db.selectFrom('staff').select('failed_attempts').where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row.failed_attempts).toBe(0);
		expect(await db.selectFrom('sessions').select('id').where('staff_id', '=', staff.id).execute()).toEqual([]);
	});

	it('30 parallel guesses from one address check at most 5 passwords, and the right one among them is refused', async () => {
		const { staff, creds } = await account();
		const ctx = contextFor(db, null, { ip: '198.51.100.77' });
		const caller = createCaller(ctx);
		const answers = await Promise.all(
			Array.from({ length: 30 }, (_, i) =>
				caller.auth.signIn({ ...creds, password: i === 29 ? PASSWORD : `guess-${i}` }).then(
					() => 'signed in',
					(e: TRPCError) => e.message
				)
			)
		);
		expect(answers).not.toContain('signed in');
		expect(answers.filter((a) => a === 'auth.locked').length).toBeGreaterThanOrEqual(25);
		expect(await checked(staff.id)).toBeLessThanOrEqual(5);
		expect(await db.selectFrom('sessions').select('id').where('staff_id', '=', staff.id).execute()).toEqual([]);
		// Still locked for that address afterwards, right password or not.
		await expect(caller.auth.signIn(creds)).rejects.toMatchObject({ message: 'auth.locked' });
	});

	it('30 parallel guesses at many accounts from one address check at most the address limit', async () => {
		process.env.LOGIN_IP_MAX_FAILURES = '10';
		try {
			const accounts = await Promise.all(Array.from({ length: 3 }, () => account()));
			const ctx = contextFor(db, null, { ip: '198.51.100.78' });
			const caller = createCaller(ctx);
			const answers = await Promise.all(
				Array.from({ length: 30 }, (_, i) => caller.auth.signIn({ ...accounts[i % 3].creds, password: `guess-${i}` }).catch((e: TRPCError) => e.message))
			);
			expect(answers.filter((a) => a === 'auth.ipThrottled').length).toBeGreaterThanOrEqual(20);
			const logged = await db.selectFrom('sign_in_log').select('id').where('ip', '=', '198.51.100.78').execute();
			expect(logged.length).toBeLessThanOrEqual(10);
		} finally {
			delete process.env.LOGIN_IP_MAX_FAILURES;
		}
	});
});

describe('找回密码 flood', () => {
	it('200 parallel password.reset calls with made-up codes leave a signed-in list request answering in under 1 s', async () => {
		const { merchant, staff } = await account();
		const { auth } = await sessionOf(db, staff.id);
		const flood = Array.from({ length: 200 }, (_, i) => {
			const ctx = contextFor(db, null, { ip: `10.9.${Math.floor(i / 250)}.${i % 250}` });
			return createCaller(ctx)
				.password.reset({ merchantNo: merchant.merchant_no, phone: `139${String(i).padStart(8, '0')}`, code: '123456', newPassword: 'Flood2026pass', confirmPassword: 'Flood2026pass' })
				.catch((e: TRPCError) => e.code);
		});
		await new Promise((r) => setTimeout(r, 20));
		const started = performance.now();
		const ctx = contextFor(db, auth);
		const page = await createCaller(ctx).audit.list({ page: 1, pageSize: 20, filter: {} } as never);
		const took = performance.now() - started;
		const codes = await Promise.all(flood);
		expect(took).toBeLessThan(1000);
		expect(page.rows).toBeDefined();
		// Every made-up code was refused, with a clear 4xx: a wrong code or "busy".
		for (const c of codes) expect(['BAD_REQUEST', 'TOO_MANY_REQUESTS']).toContain(c);
		expect(codes).toContain('TOO_MANY_REQUESTS');
	});
});

describe('修改密码 old-password guesses', () => {
	it('after 5 wrong old passwords even the right one is refused for a while', async () => {
		const { staff } = await account();
		const { auth } = await sessionOf(db, staff.id);
		const ctx = contextFor(db, auth);
		const caller = createCaller(ctx);
		const change = (oldPassword: string) =>
			caller.settings.changePassword({ oldPassword, newPassword: 'Brand2026new', confirmPassword: 'Brand2026new' }).then(
				() => 'changed',
				(e: TRPCError) => e.message
			);
		for (let i = 0; i < 5; i++) expect(await change(`wrong-${i}`)).toBe('password.oldWrong');
		expect(await change(PASSWORD)).toBe('password.tooManyAttempts');
		const row = await db.selectFrom('staff').select('password_hash').where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row.password_hash).toBe(staff.password_hash);
	});
});
