// The merchant opened as the platform opens one (the ingest kind `merchants`), the demo admin's
// known password, the three standard roles and two operators.
import { randomInt } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Db } from '#db';
import { ROLE_PERMISSIONS, type RolePermission } from '#shared/permissions.ts';
import { ingestMerchant } from '#shared/schemas/ingest.ts';
import { openMerchant } from '#shared/server/ingest/merchants.ts';
import { OutboxSmsSender } from '#shared/server/sms/index.ts';

export const DEMO_ADMIN_PHONE_DEFAULT = '13800000000';
export const DEMO_ADMIN_PASSWORD_DEFAULT = 'Demo@2018';

export function demoAdminPhone(): string {
	return process.env.DEMO_ADMIN_PHONE || DEMO_ADMIN_PHONE_DEFAULT;
}
export function demoAdminPassword(): string {
	return process.env.DEMO_ADMIN_PASSWORD || DEMO_ADMIN_PASSWORD_DEFAULT;
}

const STANDARD_ROLES: readonly { name: string; permissions: readonly RolePermission[] }[] = [
	{
		name: '财务',
		permissions: ['payments.read', 'refunds.read', 'withdrawals.read', 'flows.read', 'statements.download', 'settings.password', 'settings.profile']
	},
	{ name: '全权限', permissions: ROLE_PERMISSIONS },
	{
		name: '查询',
		permissions: ['accounts.read', 'users.read', 'payments.read', 'refunds.read', 'withdrawals.read', 'flows.read', 'settings.password', 'settings.profile']
	}
];

interface OperatorSeed {
	name: string;
	phone: string;
	email: string;
	roleName: string;
}

export const DEMO_OPERATORS: readonly OperatorSeed[] = [
	{ name: '张会计', phone: '13800000001', email: 'zhang.kuaiji@example.com', roleName: '财务' },
	{ name: '李查询', phone: '13800000002', email: 'li.chaxun@example.com', roleName: '查询' }
];

/**
 * Refuses, before anything is written, a DEMO_ADMIN_PHONE the staff table would refuse: one
 * merchant's staff need different phones, and a phone is 11 digits starting with 1.
 */
export function checkDemoAdminPhone(operators: readonly OperatorSeed[] = DEMO_OPERATORS): void {
	const phone = demoAdminPhone();
	if (!/^1[0-9]{10}$/.test(phone)) throw new Error(`DEMO_ADMIN_PHONE=${phone} is not a mobile number (11 digits starting with 1). Choose another.`);
	const taken = operators.find((o) => o.phone === phone);
	if (taken)
		throw new Error(
			`DEMO_ADMIN_PHONE=${phone} is the phone of the demo operator ${taken.name} (${taken.roleName}), and one merchant's staff need different phones. ` +
				`Choose another DEMO_ADMIN_PHONE (the operators have ${operators.map((o) => o.phone).join(', ')}). Nothing was written.`
		);
}

/**
 * A random initial password: real randomness (not the seeded PRNG) because it is a secret
 * that reaches a phone, even in a demo.
 */
function randomInitialPassword(): string {
	const groups = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '@#$%&*'];
	const all = groups.slice(0, 3).join('');
	const chars = groups.map((g) => g[randomInt(g.length)]);
	while (chars.length < 10) chars.push(all[randomInt(all.length)]);
	// shuffle so the character classes do not sit in a fixed order
	for (let i = chars.length - 1; i > 0; i--) {
		const j = randomInt(i + 1);
		[chars[i], chars[j]] = [chars[j], chars[i]];
	}
	return chars.join('');
}

export async function createMerchant(db: Db, merchantNo: string, name: string, createdAt: Date): Promise<bigint> {
	const row = await db
		.insertInto('merchants')
		.values({ merchant_no: merchantNo, name, created_at: createdAt })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/**
 * Opens a demo merchant the way the platform does (the signed ingest kind `merchants`: the
 * merchant, its four accounts, its admin, the initial password by SMS — to the outbox only, a
 * demo never texts a gateway), then gives the admin the documented demo password so the README's
 * sign-in works; the outbox row stays as history, its password gone like the operators' rows.
 */
export async function openDemoMerchant(
	db: Db,
	spec: { merchantNo: string; name: string; adminName: string; createdAt: Date }
): Promise<{ merchantId: bigint; adminId: bigint }> {
	const input = ingestMerchant.parse({ merchant_no: spec.merchantNo, name: spec.name, admin_name: spec.adminName, admin_phone: demoAdminPhone() });
	const opened = await openMerchant(db, input, spec.createdAt, new OutboxSmsSender(() => {}));
	await db
		.updateTable('staff')
		.set({
			email: 'admin@example.com',
			password_hash: await hash(demoAdminPassword()),
			must_change_password: false,
			password_changed_at: spec.createdAt
		})
		.where('id', '=', opened.adminId)
		.execute();
	await db
		.updateTable('sms_outbox')
		.set({ secret: null, secret_expires_at: null, created_at: spec.createdAt })
		.where('merchant_id', '=', opened.id)
		.where('purpose', '=', 'INITIAL_PASSWORD')
		.execute();
	return { merchantId: opened.id, adminId: opened.adminId };
}

interface StaffSeedResult {
	adminId: bigint;
	roleIds: Map<string, bigint>;
	operatorIds: bigint[];
}

/** The three standard roles and the operators (an SMS'd initial password each) of an opened merchant. */
export async function seedStaff(
	db: Db,
	merchantId: bigint,
	merchantNo: string,
	opts: { adminId: bigint; operators: readonly OperatorSeed[]; createdAt: Date }
): Promise<StaffSeedResult> {
	const admin = { id: opts.adminId };
	const roleIds = new Map<string, bigint>();
	for (const role of STANDARD_ROLES) {
		const r = await db
			.insertInto('roles')
			.values({
				merchant_id: merchantId,
				name: role.name,
				permissions: [...role.permissions],
				created_at: opts.createdAt,
				updated_at: opts.createdAt,
				updated_by: admin.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		roleIds.set(role.name, r.id);
	}

	const operatorIds: bigint[] = [];
	for (const op of opts.operators) {
		const password = randomInitialPassword();
		const s = await db
			.insertInto('staff')
			.values({
				merchant_id: merchantId,
				is_admin: false,
				name: op.name,
				phone: op.phone,
				email: op.email,
				password_hash: await hash(password),
				must_change_password: true,
				created_at: opts.createdAt,
				updated_at: opts.createdAt
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		operatorIds.push(s.id);
		const roleId = roleIds.get(op.roleName);
		if (roleId) await db.insertInto('staff_roles').values({ merchant_id: merchantId, staff_id: s.id, role_id: roleId }).execute();
		await db
			.insertInto('sms_outbox')
			.values({
				merchant_id: merchantId,
				phone: op.phone,
				// Seeded history: its passwords are long past their validity, so the row keeps none.
				body: `【商户站】您的初始密码为 ******, 商户号 ${merchantNo}, 请登录后立即修改。`,
				purpose: 'INITIAL_PASSWORD',
				created_at: opts.createdAt
			})
			.execute();
	}
	return { adminId: admin.id, roleIds, operatorIds };
}
