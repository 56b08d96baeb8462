// The request path as SvelteKit runs it: hooks.server.ts resolves the cookie, then the tRPC
// endpoint answers. The event is hand-made; everything behind it (db, tRPC, formatter) is real.
import type { RequestEvent } from '@sveltejs/kit';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { handle } from '../../src/hooks.server.ts';
import { GET, POST } from '../../src/routes/api/trpc/[...trpc]/+server.ts';
import { POST as logout } from '../../src/routes/logout/+server.ts';
import { createSession, validateSessionToken } from '#shared/server/auth/session.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { requestEvent, type SetCookie } from '../fixtures/request-event.ts';
import { readAnswer } from '#shared/trpc/transformer.ts';

const errorOf = (body: { error: unknown }) => readAnswer<{ message: string; data: { fieldErrors: Record<string, string> | null } }>(body.error);

const db = getDb();

/** A hand-made event and the cookies the app sets on it. */
function makeEvent(url: string, init: RequestInit = {}, jar: Record<string, string> = {}) {
	const set: SetCookie[] = [];
	return { event: requestEvent(url, { init, jar, setCookies: set }), set };
}

type Handler = (event: RequestEvent) => Promise<Response> | Response;

async function run(url: string, handler: Handler, init: RequestInit = {}, jar: Record<string, string> = {}) {
	const { event, set } = makeEvent(url, init, jar);
	const response = await handle({ event, resolve: async (e) => handler(e) });
	return { response, set, locals: event.locals };
}

async function account() {
	const merchant = await makeMerchant(db, { name: '杭州测试商户' });
	const staff = await makeStaff(db, merchant.id, { name: '赵六' });
	return { merchant, staff };
}

const signInBody = (input: unknown) =>
	({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(superjson.serialize(input)) }) as RequestInit;

describe('hooks + /api/trpc', () => {
	it('signs in over HTTP: Set-Cookie through the hook, then auth.me with that cookie', async () => {
		const { merchant, staff } = await account();
		const signIn = await run(
			'http://localhost/api/trpc/auth.signIn',
			POST as Handler,
			signInBody({ merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD })
		);
		expect(signIn.response.status).toBe(200);
		const cookie = signIn.set.find((c) => c.name === 'session')!;
		expect(cookie.opts).toMatchObject({ path: '/', httpOnly: true, sameSite: 'lax', secure: false });
		expect(signIn.response.headers.get('x-frame-options')).toBe('DENY');
		expect(signIn.response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(signIn.response.headers.get('referrer-policy')).toBe('same-origin');

		const me = await run('http://localhost/api/trpc/auth.me', GET as Handler, {}, { session: cookie.value });
		expect(me.locals.auth?.staff.id).toBe(staff.id);
		const body = await me.response.json();
		expect(readAnswer(body.result.data)).toMatchObject({ name: '赵六', merchantName: '杭州测试商户' });
	});

	it('errors arrive translated into the person’s language', async () => {
		const { merchant, staff } = await account();
		const input = { merchantNo: merchant.merchant_no, phone: staff.phone, password: 'wrong' };
		const zh = await run('http://localhost/api/trpc/auth.signIn', POST as Handler, signInBody(input));
		expect(zh.response.status).toBe(401);
		expect(errorOf(await zh.response.json()).message).toBe('商户号、手机号或密码错误');
		const en = await run('http://localhost/api/trpc/auth.signIn', POST as Handler, signInBody(input), { locale: 'en' });
		expect(en.locals.locale).toBe('en');
		expect(errorOf(await en.response.json()).message).toBe('Wrong merchant number, phone or password');

		const bad = await run('http://localhost/api/trpc/auth.signIn', POST as Handler, signInBody({ ...input, merchantNo: '12' }));
		const badBody = errorOf(await bad.response.json());
		expect(badBody.message).toBe('商户号为 16 位数字');
		expect(badBody.data.fieldErrors).toEqual({ merchantNo: '商户号为 16 位数字' });
	});

	it('the locked message says until when', async () => {
		process.env.LOGIN_MAX_FAILURES = '1';
		try {
			const { merchant, staff } = await account();
			const r = await run(
				'http://localhost/api/trpc/auth.signIn',
				POST as Handler,
				signInBody({ merchantNo: merchant.merchant_no, phone: staff.phone, password: 'wrong' })
			);
			expect(r.response.status).toBe(429);
			expect(errorOf(await r.response.json()).message).toMatch(/账户已锁定, 请于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 后再试/);
		} finally {
			delete process.env.LOGIN_MAX_FAILURES;
		}
	});

	it('a dead token is answered UNAUTHORIZED and its cookie cleared', async () => {
		const r = await run('http://localhost/api/trpc/auth.me', GET as Handler, {}, { session: 'nosuchtokennosuchtokennosuchtoke' });
		expect(r.locals.auth).toBeNull();
		expect(r.response.status).toBe(401);
		expect(r.set).toEqual([{ name: 'session', value: '', opts: expect.objectContaining({ maxAge: 0, path: '/' }) }]);
	});

	it('renews the cookie when the session slid', async () => {
		const { staff } = await account();
		const { token, session } = await createSession(db, staff.id, { ip: null, userAgent: null });
		await db.updateTable('sessions').set({ expires_at: new Date(Date.now() + 60_000) }).where('id', '=', session.id).execute();
		const r = await run('http://localhost/api/trpc/auth.me', GET as Handler, {}, { session: token });
		expect(r.response.status).toBe(200);
		const renewed = r.set.find((c) => c.name === 'session')!;
		expect(renewed.value).toBe(token);
		expect((renewed.opts.expires as Date).getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
	});

	it('marks cookies Secure over https, and in production unless COOKIE_SECURE=false, named __Host-session when Secure', async () => {
		const { staff } = await account();
		const { token, session } = await createSession(db, staff.id, { ip: null, userAgent: null });
		const slide = () => db.updateTable('sessions').set({ expires_at: new Date(Date.now() + 60_000) }).where('id', '=', session.id).execute();
		await slide();
		const https = await run('https://shop.example/api/trpc/auth.me', GET as Handler, {}, { '__Host-session': token });
		expect(https.set).toEqual([{ name: '__Host-session', value: token, opts: expect.objectContaining({ secure: true, path: '/', httpOnly: true }) }]);
		expect(https.set[0].opts).not.toHaveProperty('domain');

		const env = process.env.NODE_ENV;
		process.env.NODE_ENV = 'production';
		try {
			await slide();
			const prod = await run('http://shop.example/api/trpc/auth.me', GET as Handler, {}, { '__Host-session': token });
			expect(prod.set).toEqual([{ name: '__Host-session', value: token, opts: expect.objectContaining({ secure: true }) }]);
			process.env.COOKIE_SECURE = 'false';
			await slide();
			const plain = await run('http://shop.example/api/trpc/auth.me', GET as Handler, {}, { session: token });
			expect(plain.set).toEqual([{ name: 'session', value: token, opts: expect.objectContaining({ secure: false }) }]);
		} finally {
			process.env.NODE_ENV = env;
			delete process.env.COOKIE_SECURE;
		}
	});

	it('over https, sign-in sets __Host-session (Secure, Path=/, no Domain) and a plain `session` cookie is no session', async () => {
		const { merchant, staff } = await account();
		const signIn = await run(
			'https://shop.example/api/trpc/auth.signIn',
			POST as Handler,
			signInBody({ merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD })
		);
		expect(signIn.response.status).toBe(200);
		expect(signIn.set.map((c) => c.name)).toEqual(['__Host-session']);
		const cookie = signIn.set[0];
		expect(cookie.opts).toMatchObject({ path: '/', httpOnly: true, sameSite: 'lax', secure: true });
		expect(cookie.opts).not.toHaveProperty('domain');

		const me = await run('https://shop.example/api/trpc/auth.me', GET as Handler, {}, { '__Host-session': cookie.value });
		expect(me.locals.auth?.staff.id).toBe(staff.id);
		// the same token under the plain name, as a sibling subdomain or an http response could plant it
		const planted = await run('https://shop.example/api/trpc/auth.me', GET as Handler, {}, { session: cookie.value });
		expect(planted.locals.auth).toBeNull();
		expect(planted.response.status).toBe(401);
		// and over http the secure name is not read either
		const downgraded = await run('http://shop.example/api/trpc/auth.me', GET as Handler, {}, { '__Host-session': cookie.value });
		expect(downgraded.locals.auth).toBeNull();

		const out = await run('https://shop.example/api/trpc/auth.signOut', POST as Handler, signInBody(undefined), { '__Host-session': cookie.value });
		expect(out.set).toEqual([{ name: '__Host-session', value: '', opts: expect.objectContaining({ maxAge: 0, path: '/', secure: true }) }]);
	});

	it('/api/ingest/ requests skip the session entirely', async () => {
		const { staff } = await account();
		const { token } = await createSession(db, staff.id, { ip: null, userAgent: null });
		const handler = (e: RequestEvent) => new Response(JSON.stringify({ auth: e.locals.auth }));
		const r = await run('http://localhost/api/ingest/v1/payments', handler, { method: 'POST' }, { session: token });
		expect(r.locals.auth).toBeNull();
		expect(r.set).toEqual([]);
		// a garbage cookie is not even looked at (nor cleared)
		const g = await run('http://localhost/api/ingest/v1/payments', handler, { method: 'POST' }, { session: 'garbage' });
		expect(g.set).toEqual([]);
	});

	it('fills %lang% with the locale', async () => {
		for (const [jar, lang] of [[{}, 'zh-CN'], [{ locale: 'en' }, 'en']] as const) {
			const { event } = makeEvent('http://localhost/login', {}, { ...jar });
			let html = '';
			await handle({
				event,
				resolve: async (_e, opts) => {
					html = (await opts!.transformPageChunk!({ html: '<html lang="%lang%">', done: true })) ?? '';
					return new Response(html);
				}
			});
			expect(html).toBe(`<html lang="${lang}">`);
		}
	});

	it('POST /logout signs out and redirects to /login', async () => {
		const { staff } = await account();
		const { token } = await createSession(db, staff.id, { ip: null, userAgent: null });
		const { event, set } = makeEvent('http://localhost/logout', { method: 'POST' }, { session: token });
		let thrown: unknown;
		try {
			await handle({ event, resolve: async (e) => logout(e as Parameters<typeof logout>[0]) });
		} catch (e) {
			thrown = e;
		}
		expect(thrown).toMatchObject({ status: 303, location: '/login' });
		expect(set.at(-1)).toMatchObject({ name: 'session', value: '', opts: { maxAge: 0 } });
		expect(await validateSessionToken(db, token)).toBeNull();
		const audit = await db.selectFrom('audit_log').select('action').where('staff_id', '=', staff.id).execute();
		expect(audit.map((a) => a.action)).toEqual(['auth.signOut']);
	});
});

describe('cross-site requests', () => {
	it('/api/trpc refuses a mutation that is not JSON (a form post from another site)', async () => {
		const { staff } = await account();
		const { token } = await createSession(db, staff.id, { ip: null, userAgent: null });
		const form = new FormData();
		form.set('x', '1');
		let status = 0;
		try {
			const r = await run('http://localhost/api/trpc/auth.signOut', POST as Handler, { method: 'POST', body: form }, { session: token });
			status = r.response.status;
		} catch (e) {
			status = (e as { status: number }).status;
		}
		// The origin check in the hooks (src/lib/server/csrf.ts) refuses it before tRPC reads it.
		expect(status).toBe(403);
		expect(await validateSessionToken(db, token)).not.toBeNull();
	});
});
