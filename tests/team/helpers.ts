// A merchant with its admin, or an operator with one role, signed in through a real session.
import type { Db } from '#db';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor, sessionOf } from '../fixtures/context.ts';
import { makeMerchant, makeRole, makeStaff } from '../fixtures/merchant.ts';

export async function callerFromToken(db: Db, token: string) {
	const v = await validateSessionToken(db, token);
	return callerFor(db, v?.auth ?? null);
}

/** A fresh merchant whose admin is signed in. */
export async function adminWorld(db: Db, name = '测试商户') {
	const merchant = await makeMerchant(db, { name });
	const admin = await makeStaff(db, merchant.id, { isAdmin: true, name: '管理员' });
	const { token, auth } = await sessionOf(db, admin.id);
	return { merchant, admin, token, auth, caller: callerFor(db, auth) };
}

/** An operator of the merchant holding one enabled role with these permissions, signed in. */
export async function operatorWith(db: Db, merchantId: bigint, permissions: string[], opts: Parameters<typeof makeStaff>[2] = {}) {
	const staff = await makeStaff(db, merchantId, opts);
	const role = await makeRole(db, merchantId, permissions, { staffIds: [staff.id] });
	const { token, auth } = await sessionOf(db, staff.id);
	return { staff, role, token, auth, caller: callerFor(db, auth) };
}
