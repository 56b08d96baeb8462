// A plain pg pool for the files module: COPY needs the raw pg client, which Kysely keeps private.
// Relative imports only: the worker (plain tsx) uses this module too.
import type pg from 'pg';
import { createPool } from '../../../../db/index.ts';

let pool: pg.Pool | undefined;

/** The process-wide pool for streaming file bytes; sized small, files are read in few long queries. */
export function getFilePool(): pg.Pool {
	// createPool's error listener keeps a dropped idle client (restart) from crashing the process.
	pool ??= createPool(undefined, Number(process.env.FILE_POOL_MAX ?? 4));
	return pool;
}

export async function closeFilePool(): Promise<void> {
	if (pool) {
		const p = pool;
		pool = undefined;
		await p.end();
	}
}
