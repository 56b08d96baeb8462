// A plain pg pool for the files module: COPY needs the raw pg client, which Kysely keeps private.
// No $lib imports (#db, #shared are fine): the worker (plain tsx) uses this module too.
import type pg from 'pg';
import { createPool, databaseUrl, sessionLimits, trackPool } from '#db';

let pool: pg.Pool | undefined;
/** Write pools by database name (see getFileWritePool). */
const writePools = new Map<string, pg.Pool>();

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
 * each hold what the other waits for. `database` is the one the writer's Kysely handle is on
 * (a test's own database on the same server): the process's DATABASE_URL with that name.
 */
export function getFileWritePool(database: string): pg.Pool {
	let p = writePools.get(database);
	if (!p) {
		const url = new URL(databaseUrl());
		if (decodeURIComponent(url.pathname.slice(1)) !== database) url.pathname = `/${encodeURIComponent(database)}`;
		p = createPool(url.toString(), filePoolMax(), sessionLimits(), { acquireTimeoutMs: 0 });
		if (writePools.size === 0) trackPool('files-write', p);
		writePools.set(database, p);
	}
	return p;
}

function filePoolMax(): number {
	const n = Number(process.env.FILE_POOL_MAX ?? 4);
	return Number.isInteger(n) && n > 0 ? n : 4;
}

export async function closeFilePool(): Promise<void> {
	const open = [pool, ...writePools.values()];
	pool = undefined;
	writePools.clear();
	await Promise.all(open.map((p) => p?.end()));
}
