// Merchants, staff and roles made directly with Kysely, and a tRPC context that records cookies.
import { randomInt } from 'node:crypto';
import { getDb, type Db } from '../../db/index.ts';
import type { Context, CookieOptions } from '../../src/lib/server/api/context.ts';
import { hashPassword } from '../../src/lib/server/auth/password.ts';
import type { SessionContext } from '../../src/lib/server/auth/types.ts';

export const PASSWORD = 'Right#Pass2026';

export function randomMerchantNo(): string {
	return String(randomInt(1e7, 1e8 - 1)) + String(randomInt(1e7, 1e8 - 1));
}

export function randomPhone(): string {
	return `139${String(randomInt(0, 1e8)).padStart(8, '0')}`;
}

export async function makeMerchant(
	db: Db = getDb(),
	opts: { merchantNo?: string; name?: string; status?: 'ACTIVE' | 'SUSPENDED' } = {}
) {
	return db
		.insertInto('merchants')
		.values({ merchant_no: opts.merchantNo ?? randomMerchantNo(), name: opts.name ?? '测试商户', status: opts.status ?? 'ACTIVE' })
		.returningAll()
		.executeTakeFirstOrThrow();
}

export async function makeStaff(
	db: Db,
	merchantId: bigint,
	opts: {
		phone?: string;
		name?: string;
		password?: string;
		isAdmin?: boolean;
		mustChangePassword?: boolean;
		status?: 'ACTIVE' | 'DISABLED';
	} = {}
) {
	return db
		.insertInto('staff')
		.values({
			merchant_id: merchantId,
			phone: opts.phone ?? randomPhone(),
			name: opts.name ?? '张三',
			password_hash: await hashPassword(opts.password ?? PASSWORD),
			is_admin: opts.isAdmin ?? false,
			must_change_password: opts.mustChangePassword ?? false,
			status: opts.status ?? 'ACTIVE'
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

export async function makeRole(
	db: Db,
	merchantId: bigint,
	permissions: string[],
	opts: { name?: string; status?: 'ENABLED' | 'DISABLED'; staffIds?: bigint[] } = {}
) {
	const role = await db
		.insertInto('roles')
		.values({
			merchant_id: merchantId,
			name: opts.name ?? `角色${randomInt(1e6)}`,
			permissions,
			status: opts.status ?? 'ENABLED'
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	for (const staffId of opts.staffIds ?? [])
		await db.insertInto('staff_roles').values({ merchant_id: merchantId, staff_id: staffId, role_id: role.id }).execute();
	return role;
}

export interface RecordedCookie {
	name: string;
	value: string;
	opts: CookieOptions;
}

/** A context as the HTTP endpoint builds it, with the cookies a procedure sets kept for inspection. */
export function makeContext(db: Db, auth: SessionContext | null = null, locale: 'zh-CN' | 'en' = 'zh-CN', ip = '203.0.113.7') {
	const cookies: RecordedCookie[] = [];
	const ctx: Context = {
		db,
		auth,
		locale,
		ip,
		userAgent: 'vitest',
		setCookie: (name, value, opts) => cookies.push({ name, value, opts })
	};
	return { ctx, cookies };
}
