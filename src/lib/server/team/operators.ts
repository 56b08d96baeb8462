// 操作员: the merchant's operators — the list (never the admin; phones masked; newest first,
// through the list engine like its export), one operator, and what every change shares (the
// locked record, the roles, what an audit row may say). The admin is never an operator: naming the admin (or
// another merchant's staff, or a deleted operator) reads exactly like a missing record.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '#db';
import type { OperatorDetail, OperatorRoleRef, OperatorRow } from '#shared/schemas/operators.ts';
import type { ListPage, PageSize } from '#shared/schemas/lists.ts';
import { NotFound } from '../domain-error.ts';
import { runList } from '../lists/engine.ts';
import { operatorSource, type OperatorFilter } from '../lists/operators.ts';
import { maskPhone } from '../mask.ts';

interface OperatorRecord {
	id: bigint;
	name: string;
	phone: string;
	email: string | null;
	status: 'ACTIVE' | 'DISABLED';
	failedAttempts: number;
	lockedUntil: Date | null;
	mustChangePassword: boolean;
	roleIds: bigint[];
}

export function isLocked(lockedUntil: Date | null, now = Date.now()): boolean {
	return lockedUntil !== null && lockedUntil.getTime() > now;
}

const OPERATOR_ROW = sql.raw('id, name, phone, email, status, locked_until, must_change_password, totp_enabled_at, created_at, updated_at');
type RawOperatorRow = {
	id: bigint;
	name: string;
	phone: string;
	email: string | null;
	status: 'ACTIVE' | 'DISABLED';
	locked_until: Date | null;
	must_change_password: boolean;
	totp_enabled_at: Date | null;
	created_at: Date;
	updated_at: Date;
};

/** Through the list engine, over the same source as the list's export. */
export async function listOperators(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: OperatorFilter; page: number; pageSize: PageSize }
): Promise<ListPage<OperatorRow>> {
	const r = await runList<RawOperatorRow>(db, await operatorSource(db, merchantId, input.filter), null, input.page, input.pageSize, OPERATOR_ROW);
	const roles = await rolesOf(db, merchantId, r.rows.map((x) => x.id));
	return {
		rows: r.rows.map((x) => ({
			id: x.id,
			name: x.name,
			phone: maskPhone(x.phone),
			email: x.email,
			status: x.status,
			locked: isLocked(x.locked_until),
			mustChangePassword: x.must_change_password,
			twoFactorEnabled: x.totp_enabled_at !== null,
			roles: roles.get(x.id) ?? [],
			createdAt: x.created_at,
			updatedAt: x.updated_at
		})),
		total: { count: r.count, amount: null },
		page: input.page,
		pageSize: input.pageSize
	};
}

/** 查看信息: the merchant (商户号, 商户名称), the operator (phone masked) and their roles. */
export async function getOperator(db: Kysely<DB>, merchantId: bigint, id: bigint): Promise<OperatorDetail> {
	const row = await db
		.selectFrom('staff as s')
		.innerJoin('merchants as m', 'm.id', 's.merchant_id')
		.select([
			's.id',
			's.name',
			's.phone',
			's.email',
			's.status',
			's.locked_until',
			's.failed_attempts',
			's.must_change_password',
			's.totp_enabled_at',
			's.created_at',
			's.updated_at',
			'm.merchant_no',
			'm.name as merchant_name'
		])
		.where('s.merchant_id', '=', merchantId)
		.where('s.id', '=', id)
		.where('s.is_admin', '=', false)
		.where('s.deleted_at', 'is', null)
		.executeTakeFirst();
	if (!row) throw new NotFound();
	const roles = await rolesOf(db, merchantId, [row.id]);
	return {
		id: row.id,
		merchantNo: row.merchant_no,
		merchantName: row.merchant_name,
		name: row.name,
		phone: maskPhone(row.phone),
		email: row.email,
		status: row.status,
		locked: isLocked(row.locked_until),
		lockedUntil: isLocked(row.locked_until) ? row.locked_until : null,
		failedAttempts: row.failed_attempts,
		mustChangePassword: row.must_change_password,
		twoFactorEnabled: row.totp_enabled_at !== null,
		roles: roles.get(row.id) ?? [],
		createdAt: row.created_at,
		updatedAt: row.updated_at
	};
}

/** An operator of this merchant, locked for a change. */
export async function lockOperator(tx: Transaction<DB>, merchantId: bigint, id: bigint): Promise<OperatorRecord> {
	const row = await tx
		.selectFrom('staff')
		.select(['id', 'name', 'phone', 'email', 'status', 'failed_attempts', 'locked_until', 'must_change_password'])
		.where('merchant_id', '=', merchantId)
		.where('id', '=', id)
		.where('is_admin', '=', false)
		.where('deleted_at', 'is', null)
		.forUpdate()
		.executeTakeFirst();
	if (!row) throw new NotFound();
	const roles = await tx
		.selectFrom('staff_roles')
		.select('role_id')
		.where('merchant_id', '=', merchantId)
		.where('staff_id', '=', id)
		.orderBy('role_id')
		.execute();
	return {
		id: row.id,
		name: row.name,
		phone: row.phone,
		email: row.email,
		status: row.status,
		failedAttempts: row.failed_attempts,
		lockedUntil: row.locked_until,
		mustChangePassword: row.must_change_password,
		roleIds: roles.map((r) => r.role_id)
	};
}

/** The roles of each operator, by staff id, in id order. */
async function rolesOf(db: Kysely<DB> | Transaction<DB>, merchantId: bigint, staffIds: readonly bigint[]): Promise<Map<bigint, OperatorRoleRef[]>> {
	const out = new Map<bigint, OperatorRoleRef[]>();
	if (staffIds.length === 0) return out;
	const rows = await db
		.selectFrom('staff_roles as sr')
		.innerJoin('roles as r', (j) => j.onRef('r.id', '=', 'sr.role_id').onRef('r.merchant_id', '=', 'sr.merchant_id'))
		.select(['sr.staff_id', 'r.id', 'r.name', 'r.status'])
		.where('sr.merchant_id', '=', merchantId)
		.where('sr.staff_id', 'in', [...staffIds])
		.orderBy('r.id')
		.execute();
	for (const r of rows) {
		const list = out.get(r.staff_id) ?? [];
		list.push({ id: r.id, name: r.name, status: r.status });
		out.set(r.staff_id, list);
	}
	return out;
}

/** Replaces an operator's roles with exactly these (already checked to be the merchant's). */
export async function setRoles(tx: Transaction<DB>, merchantId: bigint, staffId: bigint, roleIds: readonly bigint[]): Promise<void> {
	await tx.deleteFrom('staff_roles').where('merchant_id', '=', merchantId).where('staff_id', '=', staffId).execute();
	if (roleIds.length)
		await tx
			.insertInto('staff_roles')
			.values(roleIds.map((role_id) => ({ merchant_id: merchantId, staff_id: staffId, role_id })))
			.execute();
}

/** What an audit row may say about an operator: never the password (hash), phone masked. */
export function auditView(o: OperatorRecord) {
	return {
		name: o.name,
		phone: maskPhone(o.phone),
		email: o.email,
		status: o.status,
		roleIds: o.roleIds.map(String),
		locked: isLocked(o.lockedUntil)
	};
}
