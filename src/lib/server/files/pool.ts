// A plain pg pool for the files module: COPY needs the raw pg client, which Kysely keeps private.
// No $lib imports (#db, #shared are fine): the worker (plain tsx) uses this module too.
import type pg from 'pg';
import { createPool, poolOf, sessionLimits, trackPool } from '#db';

let pool: pg.Pool | undefined;
/** Write pools by the Kysely handle they write for (see getFileWritePool). */
const writePools = new WeakMap<object, pg.Pool>();
const allWritePools = new Set<pg.Pool>();

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
	const open = [pool, ...allWritePools];
	pool = undefined;
	allWritePools.clear();
	await Promise.all(open.map((p) => p?.end()));
}
