import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '#db/types.ts';

/**
 * Runs one posting atomically. Given the pool, it opens its own transaction; given a
 * Transaction (a seed batching thousands of postings into one commit), it wraps the posting
 * in a savepoint so a refused posting leaves nothing behind and the caller can go on.
 * Postings on one Transaction must run one after another, never concurrently.
 */
export async function inTransaction<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
	if (!db.isTransaction) return db.transaction().execute(fn);
	const trx = db as Transaction<DB>;
	await sql`SAVEPOINT ledger_posting`.execute(trx);
	try {
		const result = await fn(trx);
		await sql`RELEASE SAVEPOINT ledger_posting`.execute(trx);
		return result;
	} catch (e) {
		await sql`ROLLBACK TO SAVEPOINT ledger_posting`.execute(trx);
		throw e;
	}
}
