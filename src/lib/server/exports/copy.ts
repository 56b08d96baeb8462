// How values reach SQL that COPY runs. COPY takes no bind parameters, and quoting user text
// into the SQL text is only as safe as the server's quoting rules: with
// `standard_conforming_strings` off (a role or database setting, PGOPTIONS) a backslash
// escapes the quote that doubling added, and a filter such as `\') OR TRUE …` breaks out.
// So no text people typed is ever part of the SQL text:
// - each string parameter becomes `(SELECT current_setting('mb.pN'))`, and its value is set by
//   a bound parameter (`set_config('mb.pN', $N, true)`) in the same transaction, right before
//   the COPY; the sub-select makes Postgres read it once per query, not once per row;
// - values whose type leaves nothing to quote (bigint, finite number, boolean, instant) stay
//   literals, so the planner still sees them (ranges, index bounds);
// - the transaction also pins `standard_conforming_strings = on` and DateStyle ISO (and checks
//   they took: times and dates are written by casting them to text) and is
//   READ ONLY, and our own literals (labels, patterns) are written as E'' strings, whose
//   meaning does not depend on that setting (sql-cells.ts).
// The settings are transaction-local: they vanish at COMMIT, and a failed build discards its
// connection, so no value outlives its COPY.
import type { Kysely, RawBuilder } from 'kysely';
import type pg from 'pg';
import type { DB } from '#db/types.ts';

/** A query for COPY: SQL text holding no user text, and the values of its `mb.pN` settings. */
export interface CopySelect {
	sql: string;
	values: readonly string[];
}

const settingName = (n: number) => `mb.p${n}`;

function literalOf(v: unknown): string {
	if (v === null || v === undefined) return 'NULL';
	if (typeof v === 'bigint') return v.toString();
	if (typeof v === 'number' && Number.isFinite(v)) return String(v);
	if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
	if (v instanceof Date && Number.isFinite(v.getTime())) return `'${v.toISOString()}'::timestamptz`;
	throw new Error(`cannot inline a ${typeof v} into a COPY query`);
}

/**
 * A compiled RawBuilder as COPY SQL: every `$n` string parameter replaced by a reference to its
 * setting, every other parameter by its literal. Call it on Kysely-built conditions only: their
 * `$n` are always placeholders (their literals are ours and hold none).
 */
export function bindForCopy(db: Kysely<DB>, raw: RawBuilder<unknown>): CopySelect {
	const c = raw.compile(db);
	const values: string[] = [];
	const slot = new Map<number, number>();
	const text = c.sql.replace(/\$(\d+)/g, (_m, n: string) => {
		const i = Number(n) - 1;
		const v = c.parameters[i];
		if (typeof v !== 'string') return literalOf(v);
		let k = slot.get(i);
		if (k === undefined) {
			values.push(v);
			k = values.length;
			slot.set(i, k);
		}
		return `(SELECT current_setting('${settingName(k)}'))`;
	});
	return { sql: text, values };
}

/**
 * Runs `copy` (one or more COPY statements on `client`) inside a READ ONLY transaction whose
 * settings hold `values` and pin standard_conforming_strings on. If `copy` throws, the
 * transaction is left open: the caller must discard the connection (client.release(err)), as
 * the builds do, since a COPY cut off midway leaves it unusable anyway.
 */
export async function inCopyTransaction<T>(client: pg.PoolClient, values: readonly string[], copy: () => Promise<T>): Promise<T> {
	await client.query('BEGIN READ ONLY');
	const sets = values.map((_, i) => `, set_config('${settingName(i + 1)}', $${i + 1}, true)`).join('');
	// DateStyle ISO: the cells' times and dates are cast to text (sql-cells.ts shanghaiTimeSql).
	const r = await client.query<{ scs: string; ds: string }>(
		`SELECT set_config('standard_conforming_strings', 'on', true) AS scs, set_config('DateStyle', 'ISO, YMD', true) AS ds${sets}`,
		[...values]
	);
	// set_config answers the value now in force; anything else means the pin did not hold.
	if (r.rows[0]?.scs !== 'on') throw new Error('standard_conforming_strings could not be set on for a COPY');
	if (!r.rows[0]?.ds.startsWith('ISO')) throw new Error('DateStyle could not be set to ISO for a COPY');
	const out = await copy();
	await client.query('COMMIT');
	return out;
}
