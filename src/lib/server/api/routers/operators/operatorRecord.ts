import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import type { OperatorRoleRef } from '$lib/schemas/operators';
import { appError } from '../../init';

export interface OperatorRecord {
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

/**
 * An operator of this merchant, locked for a change. The admin is never an operator: naming the
 * admin (or another merchant's staff) reads exactly like a missing record.
 */
export async function lockOperator(tx: Transaction<DB>, merchantId: bigint, id: bigint): Promise<OperatorRecord> {
	const row = await tx
		.selectFrom('staff')
		.select(['id', 'name', 'phone', 'email', 'status', 'failed_attempts', 'locked_until', 'must_change_password'])
		.where('merchant_id', '=', merchantId)
		.where('id', '=', id)
		.where('is_admin', '=', false)
		.forUpdate()
		.executeTakeFirst();
	if (!row) throw appError('NOT_FOUND', 'error.notFound');
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
export async function rolesOf(
	db: Kysely<DB> | Transaction<DB>,
	merchantId: bigint,
	staffIds: readonly bigint[]
): Promise<Map<bigint, OperatorRoleRef[]>> {
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
export function auditView(o: OperatorRecord, maskPhone: (p: string) => string) {
	return {
		name: o.name,
		phone: maskPhone(o.phone),
		email: o.email,
		status: o.status,
		roleIds: o.roleIds.map(String),
		locked: isLocked(o.lockedUntil)
	};
}

export function isLocked(lockedUntil: Date | null, now = Date.now()): boolean {
	return lockedUntil !== null && lockedUntil.getTime() > now;
}
