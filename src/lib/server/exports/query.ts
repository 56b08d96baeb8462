// The export's SELECT as one SQL text: COPY takes no bind parameters, so the list source's
// parameters (bigints, checked strings, instants) are inlined as literals here.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../../../db/types.ts';
import type { TimeRange } from '../../schemas/lists.ts';
import type { ListSource } from '../lists/engine.ts';
import { cellSql, type ExportColumn } from './lists.ts';

function literalOf(v: unknown): string {
	if (v === null || v === undefined) return 'NULL';
	if (typeof v === 'bigint') return v.toString();
	if (typeof v === 'number' && Number.isFinite(v)) return String(v);
	if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
	if (v instanceof Date) return `'${v.toISOString()}'::timestamptz`;
	if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
	throw new Error(`cannot inline a ${typeof v} into an export query`);
}

/** A compiled RawBuilder with its $n placeholders replaced by literals. */
export function inline(db: Kysely<DB>, raw: RawBuilder<unknown>): string {
	const c = raw.compile(db);
	// Placeholders only ever come from parameters; string literals of the source text hold no `$n`.
	return c.sql.replace(/\$(\d+)/g, (_m, n: string) => literalOf(c.parameters[Number(n) - 1]));
}

const FAR_PAST = new Date(Date.UTC(1970, 0, 1));

/** The rows the list's filter matches, newest first (the list's order), every cell formatted as text. */
export function exportSelectSql(
	db: Kysely<DB>,
	src: ListSource,
	range: TimeRange | null,
	columns: readonly ExportColumn[]
): string {
	const t = sql.ref(src.timeColumn);
	const inRange = range ? sql`${t} >= ${range.from} AND ${t} < ${range.to}` : sql`${t} >= ${FAR_PAST}`;
	const cells = sql.raw(columns.map((c, i) => `${cellSql(c)} AS c${i}`).join(', '));
	return inline(
		db,
		sql`SELECT ${cells} FROM ${sql.table(src.table)} WHERE ${src.where} AND ${inRange} ORDER BY ${t} DESC, id DESC`
	);
}

/** How many rows the export will hold (the list's total). */
export async function countRows(db: Kysely<DB>, src: ListSource | null, range: TimeRange | null): Promise<bigint> {
	if (!src) return 0n;
	const t = sql.ref(src.timeColumn);
	const inRange = range ? sql`${t} >= ${range.from} AND ${t} < ${range.to}` : sql`${t} >= ${FAR_PAST}`;
	const r = await sql<{ n: bigint }>`SELECT count(*)::int8 AS n FROM ${sql.table(src.table)} WHERE ${src.where} AND ${inRange}`.execute(db);
	return r.rows[0].n;
}
