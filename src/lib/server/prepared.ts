// Named (prepared) statements for the queries every request runs. Postgres parses and plans an
// unnamed statement anew each time, and for these short queries planning cost more than
// running them: pgbench on the 5M-order merchant, the session lookup (a six-table join) 1.2 ms
// as Kysely sends it against 0.14 ms prepared, a list's first page with its totals 1.7 against
// 0.7 ms. pg keeps a named statement per connection and sends only Bind/Execute after its
// first use; Postgres keeps its plan (a generic one once it costs no more than re-planning).
// Relative and #db imports only: the export job imports the list engine under plain Node.
import { createHash } from 'node:crypto';
import type { Compilable, RawBuilder } from 'kysely';
import { poolOf, type Db } from '#db';

/**
 * Runs `query` (sql`…` or a query builder) as a named statement, named by its text (values are
 * parameters, so the number of names is the number of query shapes the code can build, not of
 * requests). A handle with no pool of its own (a transaction) runs it unnamed.
 */
export async function executePrepared<R>(db: Db, query: RawBuilder<R> | Compilable<R>): Promise<R[]> {
	const compiled = 'isRawBuilder' in query ? query.compile(db) : query.compile();
	const pool = db.isTransaction ? undefined : poolOf(db);
	if (!pool) return (await db.executeQuery(compiled)).rows;
	const name = `q${createHash('sha1').update(compiled.sql).digest('base64url')}`;
	const r = await pool.query({ name, text: compiled.sql, values: compiled.parameters as unknown[] });
	return r.rows as R[];
}
