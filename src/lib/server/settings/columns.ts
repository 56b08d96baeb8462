// The columns each person chose to show in a list (设置列), by list.
import type { Kysely } from 'kysely';
import type { DB } from '#db';

/** The columns this person chose for a list, or null for the list's defaults. */
export async function chosenListColumns(db: Kysely<DB>, staffId: bigint, list: string): Promise<string[] | null> {
	const r = await db.selectFrom('column_prefs').select('columns').where('staff_id', '=', staffId).where('list_key', '=', list).executeTakeFirst();
	return r?.columns ?? null;
}

export async function saveListColumns(db: Kysely<DB>, staffId: bigint, list: string, chosen: readonly string[]): Promise<{ ok: true }> {
	const columns = [...new Set(chosen)];
	await db
		.insertInto('column_prefs')
		.values({ staff_id: staffId, list_key: list, columns })
		.onConflict((oc) => oc.columns(['staff_id', 'list_key']).doUpdateSet({ columns, updated_at: new Date() }))
		.execute();
	return { ok: true };
}
