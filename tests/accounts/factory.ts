// Superseded by tests/fixtures (context.ts: signedIn + contextFor with an explicit staff row;
// merchant.ts: makeMerchant; ledger.ts: money through the ledger). Kept only while tests/exports,
// tests/statements and tests/jobs (other owners' work in progress) still import it; nothing new
// should: its context signs in a placeholder staff id 1 that callers must patch.
import type { Db } from '../../db/index.ts';
import { ALL_PERMISSIONS, type Permission } from '../../src/lib/permissions.ts';
import type { Context } from '../../src/lib/server/api/context.ts';
import { contextFor as contextOf, signedIn } from '../fixtures/context.ts';
import { makeMerchant } from '../fixtures/merchant.ts';

/** @deprecated use makeMerchant from tests/fixtures/merchant.ts */
export async function createMerchant(db: Db, name = '测试商户') {
	const m = await makeMerchant(db, { name });
	return { id: m.id, merchantNo: m.merchant_no, name: m.name };
}

/** @deprecated use contextFor(db, signedIn(merchant, staff, permissions)) from tests/fixtures/context.ts */
export function contextFor(
	db: Db,
	merchant: { id: bigint; merchantNo: string; name: string },
	permissions: readonly Permission[] = ALL_PERMISSIONS
): Context {
	const placeholder = { id: 1n, name: '测试员', phone: '13800000000', is_admin: permissions === ALL_PERMISSIONS, must_change_password: false };
	return { ...contextOf(db, signedIn({ id: merchant.id, merchant_no: merchant.merchantNo, name: merchant.name }, placeholder, permissions), { ip: null }), userAgent: null, setCookie: undefined };
}
