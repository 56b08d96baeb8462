import pg from 'pg';
import Cursor from 'pg-cursor';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from './types.ts';

export type { DB } from './types.ts';
export type Db = Kysely<DB>;

// Decided once for the whole app: int8 (money, ids, counts) is bigint, never a string or
// a float; `date` stays the 'YYYY-MM-DD' text Postgres sends (business dates carry no zone).
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => BigInt(v));
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
pg.types.setTypeParser(1016 as Parameters<typeof pg.types.setTypeParser>[0] /* int8[] */, (v: string) =>
	v === '{}' ? [] : v.slice(1, -1).split(',').map((x) => BigInt(x))
);

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/merchant_backoffice';

export function databaseUrl(): string {
	return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

export function createPool(url = databaseUrl(), max = Number(process.env.PG_POOL_MAX ?? 10)): pg.Pool {
	const pool = new pg.Pool({ connectionString: url, max, application_name: 'merchant-backoffice' });
	// An idle client's connection can die (Postgres restart, admin termination); without a
	// listener that error would crash the process. The pool drops the client and reconnects.
	pool.on('error', (err) => console.error(`[db] idle connection lost: ${err.message}`));
	return pool;
}

export function createDb(url = databaseUrl(), max?: number): Db {
	return new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool(url, max), cursor: Cursor }) });
}

let shared: Db | undefined;
/** The process-wide database handle (web or worker). Tests build their own with createDb. */
export function getDb(): Db {
	shared ??= createDb();
	return shared;
}

export async function closeDb(): Promise<void> {
	if (shared) {
		const d = shared;
		shared = undefined;
		await d.destroy();
	}
}
