// 角色管理: which roles a filter selects. One source for the list (team/roles.ts) and its
// export, so the file holds exactly the rows the list shows. No $lib imports (#db, #shared are fine): the export
// job imports this under plain Node.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { roleListFilter } from '#shared/schemas/roles.ts';
import { and, type ListSource } from './engine.ts';
import { containsPattern } from './like.ts';

export type RoleFilter = z.output<typeof roleListFilter>;

/** Over the `roles` table by its own name (no alias), so the list may join other tables. */
function roleWhere(merchantId: bigint, f: RoleFilter): RawBuilder<SqlBool> {
	const where: RawBuilder<unknown>[] = [sql`roles.merchant_id = ${merchantId}`];
	if (f.name) where.push(sql`roles.name ILIKE ${containsPattern(f.name)}`);
	if (f.status) where.push(sql`roles.status = ${f.status}`);
	return sql<SqlBool>`${and(where)}`;
}

export function roleSource(merchantId: bigint, f: RoleFilter): ListSource {
	return { table: 'roles', timeColumn: 'created_at', where: roleWhere(merchantId, f), amountColumn: null, rollup: null };
}
