// A plain pg pool for the files module: COPY needs the raw pg client, which Kysely keeps private.
// No $lib imports (#db, #shared are fine): the worker (plain tsx) uses this module too.
import type pg from 'pg';
import { createPool, sessionLimits, trackPool } from '#db';

let pool: pg.Pool | undefined;
let writePool: pg.Pool | undefined;

/**
 * The process-wide pool for file bytes. On the web a download holds a connection only while
 * one chunk is read (read.ts), so a few serve many, and a full pool makes a download wait at
 * most PG_CONNECT_TIMEOUT_MS, then answer 503. A build holds one for its whole COPY: in the
 * worker a build waits for a free one as long as it takes, as it always did (createPool's
 * default for the web and the worker).
 */
export function getFilePool(): pg.Pool {
	pool ??= trackPool('files', createPool(undefined, filePoolMax(), sessionLimits()));
	return pool;
}

/**
 * The pool a file's writer takes its connection from, for the file's whole COPY (write.ts).
 * Separate from the read pool, where the same build holds its row source: a build waits for
 * a writer only while holding a reader, so writers always come free and no two builds can
 * each hold what the other waits for.
 */
export function getFileWritePool(): pg.Pool {
	writePool ??= trackPool('files-write', createPool(undefined, filePoolMax(), sessionLimits(), { acquireTimeoutMs: 0 }));
	return writePool;
}

function filePoolMax(): number {
	const n = Number(process.env.FILE_POOL_MAX ?? 4);
	return Number.isInteger(n) && n > 0 ? n : 4;
}

export async function closeFilePool(): Promise<void> {
	const open = [pool, writePool];
	pool = undefined;
	writePool = undefined;
	await Promise.all(open.map((p) => p?.end()));
}
