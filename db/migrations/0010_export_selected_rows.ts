import { sql, type Kysely } from 'kysely';

// Frozen. 导出所选 (issue 12, point 3): an export of the rows a person ticked on a list page.
//
// exports.selected_ids: the ids (of the list's own table) the export is limited to; null for an
// export of everything the filter matches. At most 500, as the request schema allows; the
// build still scopes them to the export's merchant, so a foreign id matches nothing.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
ALTER TABLE exports ADD COLUMN selected_ids bigint[]
  CHECK (selected_ids IS NULL OR cardinality(selected_ids) BETWEEN 1 AND 500);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`ALTER TABLE exports DROP COLUMN IF EXISTS selected_ids;`.execute(db);
}
