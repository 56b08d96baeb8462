// 操作员: which operators a filter selects. One source for the list (team/operators.ts)
// and its export. No $lib imports (#db, #shared are fine): the export job imports this under plain Node.
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { DB } from '#db/types.ts';
import type { operatorListFilter } from '#shared/schemas/operators.ts';
import { and, type ListSource } from './engine.ts';
import { ListRefNotFound } from './errors.ts';
import { containsPattern } from './like.ts';

export type OperatorFilter = z.output<typeof operatorListFilter>;

/**
 * Over the `staff` table by its own name (no alias). Never the admin: operators can never see
 * the admin's information, not even in a file. Never a deleted operator (删除操作员).
 */
async function operatorWhere(db: Kysely<DB>, merchantId: bigint, f: OperatorFilter): Promise<RawBuilder<SqlBool>> {
	// Another merchant's role reads like a missing one, never like an empty list.
	if (f.roleId !== undefined) {
		const own = await db.selectFrom('roles').select('id').where('merchant_id', '=', merchantId).where('id', '=', f.roleId).executeTakeFirst();
		if (!own) throw new ListRefNotFound();
	}
	const where: RawBuilder<unknown>[] = [sql`staff.merchant_id = ${merchantId}`, sql`staff.is_admin = false`, sql`staff.deleted_at IS NULL`];
	if (f.name) where.push(sql`staff.name ILIKE ${containsPattern(f.name)}`);
	// Digits only (the schema says so): nothing to escape.
	if (f.phone) where.push(sql`staff.phone LIKE ${`%${f.phone}%`}`);
	if (f.status) where.push(sql`staff.status = ${f.status}`);
	if (f.roleId !== undefined)
		where.push(sql`EXISTS (SELECT 1 FROM staff_roles sr WHERE sr.staff_id = staff.id AND sr.merchant_id = ${merchantId} AND sr.role_id = ${f.roleId})`);
	return sql<SqlBool>`${and(where)}`;
}

export async function operatorSource(db: Kysely<DB>, merchantId: bigint, f: OperatorFilter): Promise<ListSource> {
	return { table: 'staff', timeColumn: 'created_at', where: await operatorWhere(db, merchantId, f), amountColumn: null, rollup: null };
}
