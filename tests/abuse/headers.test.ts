// What every answer tells the browser and the caches between: the request path as SvelteKit
// runs it (hooks.server.ts around the real routes), with a hand-made event. The page policy
// itself (kit.csp) is checked against the built server in tests/e2e/headers.test.ts.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RequestEvent } from '@sveltejs/kit';
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { handle } from '../../src/hooks.server.ts';
import { createSession } from '#shared/server/auth/session.ts';
import { closeFilePool, openFileWriter } from '#shared/server/files/index.ts';
import { GET as trpcGet } from '../../src/routes/api/trpc/[...trpc]/+server.ts';
import { GET as fileGet } from '../../src/routes/files/[id]/+server.ts';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
import { requestEvent } from '../fixtures/request-event.ts';

const db = getDb();
afterAll(closeFilePool);

type Handler = (event: RequestEvent) => Promise<Response> | Response;

function event(url: string, jar: Record<string, string> = {}, params: Record<string, string> = {}) {
	return requestEvent(url, { jar, params });
}

async function through(url: string, handler: Handler, jar: Record<string, string> = {}, params: Record<string, string> = {}) {
	return handle({ event: event(url, jar, params), resolve: async (e) => handler(e) });
}

async function signedIn() {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, { isAdmin: true });
	const { token } = await createSession(db, staff.id, { ip: null, userAgent: null });
	return { merchant, staff, token };
}

/** A page as SvelteKit would answer it: HTML with its own policy, and a handler that thinks it may be cached. */
const page: Handler = () =>
	new Response('<!doctype html><p>余额</p>', {
		headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'", 'cache-control': 'public, max-age=3600' }
	});

describe('caches', () => {
	it("a signed-in person's page is private, no-store, whatever its handler said", async () => {
		const { token } = await signedIn();
		const r = await through('http://localhost/', page, { session: token });
		expect(r.headers.get('cache-control')).toBe('private, no-store');
	});

	it('every tRPC answer is no-store, signed in or not, success or error', async () => {
		const { token } = await signedIn();
		const me = await through('http://localhost/api/trpc/auth.me', trpcGet as Handler, { session: token }, { trpc: 'auth.me' });
		expect(me.status).toBe(200);
		expect(me.headers.get('cache-control')).toContain('no-store');
		const anonymous = await through('http://localhost/api/trpc/auth.me', trpcGet as Handler, {}, { trpc: 'auth.me' });
		expect(anonymous.status).toBe(401);
		expect(anonymous.headers.get('cache-control')).toContain('no-store');
	});

	it('a downloaded statement is private, no-store', async () => {
		const { merchant, token } = await signedIn();
		const writer = await openFileWriter(db, { merchantId: merchant.id, name: '对账单.csv', contentType: 'text/csv; charset=utf-8' });
		await pipeline(Readable.from([Buffer.from('交易单号,金额\n1,1.00\n')]), writer.stream);
		const file = await writer.finish(db);
		await db
			.insertInto('statements')
			.values({ merchant_id: merchant.id, accounting_date: '2020-03-01', status: 'READY', csv_file_id: file.fileId, xlsx_file_id: file.fileId })
			.execute();
		const r = await through(`http://localhost/files/${file.fileId}`, fileGet as Handler, { session: token }, { id: String(file.fileId) });
		expect(r.status).toBe(200);
		expect(r.headers.get('cache-control')).toBe('private, no-store');
		expect(await r.text()).toContain('交易单号');
	});

	it('a public answer that says nothing about caching is not cached either', async () => {
		const r = await through('http://localhost/login', () => new Response('<p>登录</p>', { headers: { 'content-type': 'text/html' } }));
		expect(r.headers.get('cache-control')).toBe('private, no-store');
	});
});

describe('transport and framing', () => {
	it('HSTS only over https', async () => {
		const https = await through('https://shop.example/login', page);
		expect(https.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
		const http = await through('http://shop.example/login', page);
		expect(http.headers.get('strict-transport-security')).toBeNull();
	});

	it('a page keeps its own policy; any other answer gets one that allows nothing and cannot be framed', async () => {
		const p = await through('http://localhost/', page);
		expect(p.headers.get('content-security-policy')).toBe("default-src 'self'");
		const json = await through('http://localhost/api/trpc/auth.me', trpcGet as Handler, {}, { trpc: 'auth.me' });
		const policy = json.headers.get('content-security-policy') ?? '';
		expect(policy).toContain("default-src 'none'");
		expect(policy).toContain("frame-ancestors 'none'");
		expect(json.headers.get('x-frame-options')).toBe('DENY');
		expect(json.headers.get('x-content-type-options')).toBe('nosniff');
	});

	it('a response with immutable headers (a redirect, a fetch passed through) still gets them', async () => {
		const r = await through('https://shop.example/somewhere', () => Response.redirect('https://shop.example/login', 303));
		expect(r.status).toBe(303);
		expect(r.headers.get('location')).toBe('https://shop.example/login');
		expect(r.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
		expect(r.headers.get('cache-control')).toBe('private, no-store');
		expect(r.headers.get('x-frame-options')).toBe('DENY');
	});
});
