import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import { isRolePermission, type RolePermission } from '$lib/permissions';
import type { RoleStatus } from '$lib/schemas/roles';
import { appError } from '../../init';

export interface RoleRecord {
	id: bigint;
	name: string;
	status: RoleStatus;
	permissions: RolePermission[];
}

/** The merchant's role, locked for the change about to be made; another merchant's id reads as missing. */
export async function lockRole(tx: Transaction<DB>, merchantId: bigint, id: bigint): Promise<RoleRecord> {
	const row = await tx
		.selectFrom('roles')
		.select(['id', 'name', 'status', 'permissions'])
		.where('merchant_id', '=', merchantId)
		.where('id', '=', id)
		.forUpdate()
		.executeTakeFirst();
	if (!row) throw appError('NOT_FOUND', 'error.notFound');
	return toRecord(row);
}

export function toRecord(row: { id: bigint; name: string; status: RoleStatus; permissions: string[] }): RoleRecord {
	return { id: row.id, name: row.name, status: row.status, permissions: row.permissions.filter(isRolePermission) };
}

/** The roles' ids that exist for this merchant; any other id means NOT_FOUND for the whole request. */
export async function requireRoles(db: Kysely<DB> | Transaction<DB>, merchantId: bigint, ids: readonly bigint[]): Promise<void> {
	if (ids.length === 0) return;
	const found = await db
		.selectFrom('roles')
		.select('id')
		.where('merchant_id', '=', merchantId)
		.where('id', 'in', [...ids])
		.execute();
	if (found.length !== new Set(ids).size) throw appError('NOT_FOUND', 'error.notFound');
}
