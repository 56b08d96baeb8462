// 角色管理: the merchant's roles — the list (newest first, through the list engine like its export), one role,
// 新增, 编辑 and 启用/停用, each change audited in its transaction. Another merchant's role reads
// exactly like a missing one.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '#db';
import { isRolePermission, type RolePermission } from '#shared/permissions.ts';
import type { ListPage, PageSize } from '#shared/schemas/lists.ts';
import type { RoleRow, RoleStatus } from '#shared/schemas/roles.ts';
import { auditChange, type Actor } from '../audit.ts';
import { DomainError, NotFound } from '../domain-error.ts';
import { runList } from '../lists/engine.ts';
import { roleSource, type RoleFilter } from '../lists/roles.ts';
import { isUniqueViolation } from '../pg-errors.ts';

interface RoleRecord {
	id: bigint;
	name: string;
	status: RoleStatus;
	permissions: RolePermission[];
}

function toRecord(row: { id: bigint; name: string; status: RoleStatus; permissions: string[] }): RoleRecord {
	return { id: row.id, name: row.name, status: row.status, permissions: row.permissions.filter(isRolePermission) };
}

/** The role's name is the merchant's already: CONFLICT naming it. */
function nameTaken(e: unknown, name: string): unknown {
	return isUniqueViolation(e, 'roles_merchant_id_name_key') ? new DomainError('CONFLICT', 'roles.nameTaken', { params: { name } }) : e;
}

/** What a row of the list reads: the role, who changed it last, and how many operators hold it. */
const ROLE_ROW = sql`roles.id, roles.name, roles.status, roles.permissions, roles.created_at, roles.updated_at,
	(SELECT u.name FROM staff u WHERE u.id = roles.updated_by AND u.merchant_id = roles.merchant_id) AS updated_by_name,
	(SELECT count(*)::int FROM staff_roles sr WHERE sr.role_id = roles.id) AS operator_count`;
type RawRoleRow = {
	id: bigint;
	name: string;
	status: RoleStatus;
	permissions: string[];
	created_at: Date;
	updated_at: Date;
	updated_by_name: string | null;
	operator_count: number | null;
};

/** Through the list engine, over the same source as the list's export. */
export async function listRoles(db: Kysely<DB>, merchantId: bigint, input: { filter: RoleFilter; page: number; pageSize: PageSize }): Promise<ListPage<RoleRow>> {
	const r = await runList<RawRoleRow>(db, roleSource(merchantId, input.filter), null, input.page, input.pageSize, ROLE_ROW);
	return {
		rows: r.rows.map((x) => ({
			id: x.id,
			name: x.name,
			status: x.status,
			permissions: x.permissions.filter(isRolePermission),
			createdAt: x.created_at,
			updatedAt: x.updated_at,
			updatedByName: x.updated_by_name,
			operatorCount: x.operator_count ?? 0
		})),
		total: { count: r.count, amount: null },
		page: input.page,
		pageSize: input.pageSize
	};
}

/** One role with its permissions, for the 编辑 form. */
export async function getRole(db: Kysely<DB>, merchantId: bigint, id: bigint): Promise<RoleRecord & { createdAt: Date; updatedAt: Date }> {
	const row = await db
		.selectFrom('roles')
		.select(['id', 'name', 'status', 'permissions', 'created_at', 'updated_at'])
		.where('merchant_id', '=', merchantId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (!row) throw new NotFound();
	return { ...toRecord(row), createdAt: row.created_at, updatedAt: row.updated_at };
}

/** The merchant's role, locked for the change about to be made. */
async function lockRole(tx: Transaction<DB>, merchantId: bigint, id: bigint): Promise<RoleRecord> {
	const row = await tx
		.selectFrom('roles')
		.select(['id', 'name', 'status', 'permissions'])
		.where('merchant_id', '=', merchantId)
		.where('id', '=', id)
		.forUpdate()
		.executeTakeFirst();
	if (!row) throw new NotFound();
	return toRecord(row);
}

/** The roles' ids all exist for this merchant; any other id means NOT_FOUND for the whole request. */
export async function requireRoles(db: Kysely<DB> | Transaction<DB>, merchantId: bigint, ids: readonly bigint[]): Promise<void> {
	if (ids.length === 0) return;
	const found = await db
		.selectFrom('roles')
		.select('id')
		.where('merchant_id', '=', merchantId)
		.where('id', 'in', [...ids])
		.execute();
	if (found.length !== new Set(ids).size) throw new NotFound();
}

/** 新增角色. The name is unique per merchant; the permissions come only from the registry. */
export async function createRole(db: Kysely<DB>, actor: Actor, input: { name: string; permissions: RolePermission[] }): Promise<{ id: bigint }> {
	try {
		return await db.transaction().execute(async (tx) => {
			const role = await tx
				.insertInto('roles')
				.values({ merchant_id: actor.merchantId, name: input.name, permissions: input.permissions, updated_by: actor.staffId })
				.returning(['id', 'name', 'status', 'permissions'])
				.executeTakeFirstOrThrow();
			await auditChange(tx, actor, 'roles.create', { type: 'role', id: role.id }, { before: null, after: role });
			return { id: role.id };
		});
	} catch (e) {
		throw nameTaken(e, input.name);
	}
}

/**
 * 编辑: name and permissions. Holders' sessions stay: permissions are read from the roles on
 * every request, so the change applies from their next click.
 */
export async function updateRole(db: Kysely<DB>, actor: Actor, input: { id: bigint; name: string; permissions: RolePermission[] }): Promise<{ id: bigint }> {
	try {
		return await db.transaction().execute(async (tx) => {
			const before = await lockRole(tx, actor.merchantId, input.id);
			const after = await tx
				.updateTable('roles')
				.set({ name: input.name, permissions: input.permissions, updated_at: new Date(), updated_by: actor.staffId })
				.where('merchant_id', '=', actor.merchantId)
				.where('id', '=', input.id)
				.returning(['id', 'name', 'status', 'permissions'])
				.executeTakeFirstOrThrow();
			await auditChange(tx, actor, 'roles.update', { type: 'role', id: before.id }, { before, after });
			return { id: after.id };
		});
	} catch (e) {
		throw nameTaken(e, input.name);
	}
}

/** 启用 / 停用. A disabled role grants nothing from its holders' next request on (the session query reads enabled roles only). */
export function setRoleStatus(db: Kysely<DB>, actor: Actor, input: { id: bigint; status: RoleStatus }): Promise<{ id: bigint; status: RoleStatus }> {
	return db.transaction().execute(async (tx) => {
		const { id, status } = await applyRoleStatus(tx, actor, input);
		return { id, status };
	});
}

/** 启用 / 停用 inside the caller's transaction (one role, or each of a bulk change); a role already in that state is left as it is, unaudited. */
export async function applyRoleStatus(tx: Transaction<DB>, actor: Actor, input: { id: bigint; status: RoleStatus }): Promise<{ id: bigint; status: RoleStatus; changed: boolean }> {
	const before = await lockRole(tx, actor.merchantId, input.id);
	if (before.status === input.status) return { id: before.id, status: before.status, changed: false };
	await tx
		.updateTable('roles')
		.set({ status: input.status, updated_at: new Date(), updated_by: actor.staffId })
		.where('merchant_id', '=', actor.merchantId)
		.where('id', '=', input.id)
		.execute();
	await auditChange(tx, actor, 'roles.setStatus', { type: 'role', id: before.id }, {
		before: { status: before.status },
		after: { status: input.status },
		name: before.name
	});
	return { id: before.id, status: input.status, changed: true };
}
