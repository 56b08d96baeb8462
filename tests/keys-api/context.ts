// Callers for the keys router as a merchant's staff member holding exactly the given
// permissions, and the same requests through tRPC's HTTP handler (so the error formatter runs as
// in production).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import type { Db } from '#db';
import type { Locale } from '#shared/i18n/messages.ts';
import type { Permission } from '#shared/permissions.ts';
import type { Context } from '#shared/server/api/context.ts';
import { appRouter } from '#shared/server/api/root.ts';
import { callerFor, contextFor, signedIn } from '../fixtures/context.ts';
import type { merchantWithStaff } from '../keys/fixtures.ts';
import { readEnvelope } from '#shared/trpc/transformer.ts';

export type Person = Awaited<ReturnType<typeof merchantWithStaff>>;

export function contextOf(db: Db, who: Person, permissions: readonly Permission[], locale: Locale = 'zh-CN'): Context {
	return contextFor(db, signedIn(who.merchant, who.staff, permissions), { locale, ip: '203.0.113.9' });
}

export function callerOf(db: Db, who: Person, permissions: readonly Permission[], locale: Locale = 'zh-CN') {
	return callerFor(db, signedIn(who.merchant, who.staff, permissions), { locale, ip: '203.0.113.9' });
}

/**
 * A tRPC call over HTTP: returns the status, the raw response body (what a browser gets) and the
 * envelope with its answer read back (`result.data` or `error`, as the browser's client reads them).
 */
export async function httpCall(
	ctx: Context,
	path: string,
	kind: 'query' | 'mutation',
	input?: unknown
): Promise<{ status: number; body: string; json: unknown }> {
	const payload = superjson.serialize(input);
	const url =
		kind === 'query'
			? `http://test/api/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(payload))}`}`
			: `http://test/api/trpc/${path}`;
	const req = new Request(url, {
		method: kind === 'query' ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: kind === 'mutation' ? JSON.stringify(payload) : undefined
	});
	const res = await fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter, createContext: () => ctx });
	const body = await res.text();
	return { status: res.status, body, json: readEnvelope(JSON.parse(body)) };
}
