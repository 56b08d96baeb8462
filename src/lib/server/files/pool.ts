// A plain pg pool for the files module: COPY needs the raw pg client, which Kysely keeps private.
// No $lib imports (#db, #shared are fine): the worker (plain tsx) uses this module too.
import type pg from 'pg';
import { createPool, poolOf, sessionLimits, trackPool } from '#db';

let pool: pg.Pool | undefined;
let downloadPool: pg.Pool | undefined;
/** Write pools by the Kysely handle they write for (see getFileWritePool). */
const writePools = new WeakMap<object, pg.Pool>();
const allWritePools = new Set<pg.Pool>();

/**
 * The process-wide pool the builds read their rows on: a build holds one connection for its
 * whole COPY, and in the worker waits for a free one as long as it takes (createPool's default
 * for the worker). Downloads read on their own pool (getDownloadPool).
 */
export function getFilePool(): pg.Pool {
	pool ??= trackPool('files', createPool(undefined, filePoolMax(), sessionLimits()));
	return pool;
}

/**
 * Session settings of the download pool: a window is read along the chunks' primary key, in its
 * order. Left to itself the planner, misled by statistics of a table whose rows are a mix of
 * TOAST pointers (older 1 MiB chunks) and 8 KB inline chunks, chose a bitmap heap scan and an
 * external merge sort on disk for every window: 50 ms for 4 MB, downloads at 75 MB/s. Set once per
 * session, a window is one COPY statement; set per window (a transaction, SET LOCAL, COMMIT) it
 * was three round trips, ~10 % of the web's CPU for a download (measured here: 20 downloads of
 * 73 MB, 1.80–1.92 s against 2.00–2.17 s, 643–645 MB/s against 501–630).
 */
const INDEX_ORDER = '-c enable_seqscan=off -c enable_bitmapscan=off -c enable_sort=off';

/**
 * The pool downloads read windows on (read.ts): its sessions only ever run those reads, so they
 * keep the plan settings above. Sized and bounded like the file pool (FILE_POOL_MAX; a full pool
 * makes a download wait at most PG_CONNECT_TIMEOUT_MS, then answer 503). The web only reads
 * files, so its file connections are these.
 */
export function getDownloadPool(): pg.Pool {
	downloadPool ??= trackPool('downloads', createPool(undefined, filePoolMax(), sessionLimits(), { sessionOptions: INDEX_ORDER }));
	return downloadPool;
}

/**
 * The pool a file's writer takes its connection from, for the file's whole COPY (write.ts).
 * Separate from the read pool, where the same build holds its row source: a build waits for
 * a writer only while holding a reader, so writers always come free and no two builds can
 * each hold what the other waits for. It connects as the writer's Kysely handle does (its
 * pool's options: the same server and database, a test's own included).
 */
export function getFileWritePool(db: object): pg.Pool {
	let p = writePools.get(db);
	if (!p || p.ended) {
		const base = poolOf(db);
		if (base) {
			const o = base.options as pg.PoolConfig & { statement_timeout?: number; idle_in_transaction_session_timeout?: number };
			const limits = { statementTimeoutMs: o.statement_timeout ?? 0, idleInTransactionMs: o.idle_in_transaction_session_timeout ?? 0 };
			p = createPool(o.connectionString, filePoolMax(), limits, { acquireTimeoutMs: 0 });
		} else p = createPool(undefined, filePoolMax(), sessionLimits(), { acquireTimeoutMs: 0 });
		trackPool('files-write', p);
		writePools.set(db, p);
		allWritePools.add(p);
	}
	return p;
}

function filePoolMax(): number {
	const n = Number(process.env.FILE_POOL_MAX ?? 4);
	return Number.isInteger(n) && n > 0 ? n : 4;
}

export async function closeFilePool(): Promise<void> {
	const open = [pool, downloadPool, ...allWritePools];
	pool = undefined;
	downloadPool = undefined;
	allWritePools.clear();
	await Promise.all(open.map((p) => p?.end()));
}
