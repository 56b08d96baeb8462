// A merchant with its admin signed in through a real session, and helpers to call and catch.
import { TRPCError } from '@trpc/server';
import type { Db } from '../../db/index.ts';
import { createCaller } from '../../src/lib/server/api/root.ts';
import { createSession, validateSessionToken } from '../../src/lib/server/auth/session.ts';
import { makeContext, makeMerchant, makeRole, makeStaff } from '../auth/fixtures.ts';

const origin = { ip: '203.0.113.7', userAgent: 'vitest' };

/** Signs a staff member in and returns the auth the hooks would resolve (null if the session no longer resolves). */
export async function sessionOf(db: Db, staffId: bigint) {
	const { token } = await createSession(db, staffId, origin);
	return { token, auth: (await validateSessionToken(db, token))!.auth };
}

export async function callerFromToken(db: Db, token: string) {
	const v = await validateSessionToken(db, token);
	return createCaller(makeContext(db, v?.auth ?? null).ctx);
}

/** A fresh merchant whose admin is signed in. */
export async function adminWorld(db: Db, name = '测试商户') {
	const merchant = await makeMerchant(db, { name });
	const admin = await makeStaff(db, merchant.id, { isAdmin: true, name: '管理员' });
	const { token, auth } = await sessionOf(db, admin.id);
	return { merchant, admin, token, auth, caller: createCaller(makeContext(db, auth).ctx) };
}

/** An operator of the merchant holding one enabled role with these permissions, signed in. */
export async function operatorWith(db: Db, merchantId: bigint, permissions: string[], opts: Parameters<typeof makeStaff>[2] = {}) {
	const staff = await makeStaff(db, merchantId, opts);
	const role = await makeRole(db, merchantId, permissions, { staffIds: [staff.id] });
	const { token, auth } = await sessionOf(db, staff.id);
	return { staff, role, token, auth, caller: createCaller(makeContext(db, auth).ctx) };
}

export type Outcome = 'ok' | { code: string; message: string };

export async function outcome(p: Promise<unknown>): Promise<Outcome> {
	try {
		await p;
		return 'ok';
	} catch (e) {
		if (e instanceof TRPCError) return { code: e.code, message: e.message };
		throw e;
	}
}

/** The first zod issue's message key, or the error's own key. */
export async function errorKey(p: Promise<unknown>): Promise<string> {
	try {
		await p;
	} catch (e) {
		if (!(e instanceof TRPCError)) throw e;
		const issues = (e.cause as { issues?: { message: string }[] } | undefined)?.issues;
		return issues?.[0]?.message ?? e.message;
	}
	throw new Error('expected the call to fail');
}
