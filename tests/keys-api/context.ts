// Callers for the keys router as a signed-in person with exactly the given permissions, and
// the same requests through tRPC's HTTP handler (so the error formatter runs as in production).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import type { Db } from '../../db/index.ts';
import type { Permission } from '../../src/lib/permissions.ts';
import type { Context } from '../../src/lib/server/api/context.ts';
import { appRouter, createCaller } from '../../src/lib/server/api/root.ts';
import type { SessionContext } from '../../src/lib/server/auth/types.ts';

export interface Person {
	merchantId: bigint;
	merchantNo: string;
	staffId: bigint;
}

export function contextOf(db: Db, who: Person, permissions: readonly Permission[], locale: 'zh-CN' | 'en' = 'zh-CN'): Context {
	const auth: SessionContext = {
		sessionId: `s-${who.staffId}`,
		staff: {
			id: who.staffId,
			merchantId: who.merchantId,
			merchantNo: who.merchantNo,
			merchantName: '测试商户',
			name: '王操作',
			phone: '13900000000',
			email: null,
			isAdmin: false,
			mustChangePassword: false
		},
		permissions: new Set(permissions),
		expiresAt: new Date(Date.now() + 3600_000)
	};
	return { db, auth, locale, ip: '203.0.113.9', userAgent: 'vitest' };
}

export function callerOf(db: Db, who: Person, permissions: readonly Permission[], locale: 'zh-CN' | 'en' = 'zh-CN') {
	return createCaller(contextOf(db, who, permissions, locale));
}

/** A tRPC call over HTTP: returns the status and the raw response body (what a browser gets). */
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
	return { status: res.status, body, json: JSON.parse(body) };
}
