// Counts for lists that have no rollup (audit log, sign-in log): counting every row of a
// merchant's years of history on each page view would cost more than the page itself, so the
// count stops at a cap and the screen shows "10,000+".
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DB } from '#db/types.ts';

const COUNT_CAP = 10_000;

interface BoundedCount {
	count: bigint;
	/** True when there are more rows than `count` says. */
	capped: boolean;
}

export async function boundedCount(db: Kysely<DB>, table: 'audit_log' | 'sign_in_log', where: RawBuilder<SqlBool>, cap = COUNT_CAP): Promise<BoundedCount> {
	const r = await sql<{ n: string }>`SELECT count(*) AS n FROM (SELECT 1 FROM ${sql.table(table)} WHERE ${where} LIMIT ${cap + 1}) AS bounded`.execute(db);
	const n = Number(r.rows[0].n);
	return n > cap ? { count: BigInt(cap), capped: true } : { count: BigInt(n), capped: false };
}
