// The export's SELECT for COPY. COPY takes no bind parameters: the list source's conditions go
// through bindForCopy (copy.ts), so the text people typed into a filter reaches Postgres as a
// bound setting, never inside the SQL text.
import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import type { TimeRange } from '#shared/schemas/lists.ts';
import { countList, type ListSource } from '../lists/engine.ts';
import { bindForCopy, type CopySelect } from './copy.ts';
import { cellSql, type ExportColumn, type ExportFormat } from './specs.ts';

export type { CopySelect } from './copy.ts';

const FAR_PAST = new Date(Date.UTC(1970, 0, 1));

/**
 * The rows the list's filter matches, newest first (the list's order), every cell formatted as
 * text for `format` (CSV marks long numeric ids, see sql-cells.ts). Only the conditions are
 * bound; the cells are our own SQL and are added around them, so no `$n` inside them is touched.
 */
export function exportSelectSql(
	db: Kysely<DB>,
	src: ListSource,
	range: TimeRange | null,
	columns: readonly ExportColumn[],
	format: ExportFormat = 'csv'
): CopySelect {
	const t = sql.ref(src.timeColumn);
	const inRange = range ? sql`${t} >= ${range.from} AND ${t} < ${range.to}` : sql`${t} >= ${FAR_PAST}`;
	const where = bindForCopy(db, sql`${src.where} AND ${inRange}`);
	const cells = columns.map((c, i) => `${cellSql(c, format)} AS c${i}`).join(', ');
	// table and timeColumn are closed unions of our own names.
	const time = `"${src.timeColumn}"`;
	return {
		sql: `SELECT ${cells} FROM "${src.table}" WHERE ${where.sql} ORDER BY ${time} DESC, id DESC`,
		values: where.values
	};
}

/**
 * 导出所选: the source narrowed to the chosen rows. The ids are bigints, so they reach COPY as
 * literals (copy.ts), never as text; the source's own condition keeps the merchant scope, so an
 * id of another merchant's row matches nothing.
 */
export function onlyIds(src: ListSource, ids: readonly bigint[] | null | undefined): ListSource {
	if (!ids) return src;
	if (ids.length === 0) return { ...src, where: sql`FALSE` };
	return { ...src, where: sql`${src.where} AND ${sql.ref(`${src.table}.id`)} IN (${sql.join(ids.map((id) => sql`${id}`))})`, rollup: null };
}

/** How many rows the export will hold (the list's total, from the rollups where it can). */
export async function countRows(db: Kysely<DB>, src: ListSource | null, range: TimeRange | null): Promise<bigint> {
	return src ? countList(db, src, range) : 0n;
}
