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
	const text = compiled.sql;
	const values = compiled.parameters as unknown[];
	const hash = createHash('sha1').update(text).digest('base64url');
	// Checked out and released as Kysely does: pool.query would close the connection after any
	// failed query (a refused constraint, a cancelled statement), not only a broken one.
	const client = await pool.connect();
	try {
		return (await client.query({ name: nameOf(hash), text, values })).rows as R[];
	} catch (err) {
		if (!resultTypeChanged(err)) throw err;
		// A migration changed what the statement returns (a column added to a table it reads
		// with *): Postgres refuses the kept plan for good on every connection that has it.
		// Every connection prepares the text again under a new name; the old ones die with them.
		generations.set(hash, (generations.get(hash) ?? 0) + 1);
		return (await client.query({ name: nameOf(hash), text, values })).rows as R[];
	} finally {
		client.release();
	}
}

/** Texts whose statements were refused after a migration, and how many times. */
const generations = new Map<string, number>();

function nameOf(hash: string): string {
	const g = generations.get(hash);
	return g ? `q${hash}.${g}` : `q${hash}`;
}

function resultTypeChanged(err: unknown): boolean {
	const e = err as { code?: unknown; message?: unknown };
	return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}
