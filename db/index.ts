import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import pg from 'pg';
import { lowerAutogroup, type AutogroupOutcome } from './autogroup.ts';
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

/** Per-connection limits, sent as start-up parameters so they hold for every query on it. */
interface SessionLimits {
	/** statement_timeout: a query running longer is cancelled (0 = none). */
	statementTimeoutMs: number;
	/** idle_in_transaction_session_timeout: a transaction left open and idle this long is ended. */
	idleInTransactionMs: number;
}

/** Which process this is: builds in the worker run statements far longer than any web request. */
export type DbRole = 'web' | 'worker';
let role: DbRole = 'web';

/** The worker calls this before its first query, so its pools get the build limits. */
export function setDbRole(r: DbRole): void {
	role = r;
}

function envMs(name: string, fallback: number): number {
	const n = Number(process.env[name] ?? fallback);
	return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** The limits of this process's own pools (getDb, the file pool): web requests or builds. */
export function sessionLimits(r: DbRole = role): SessionLimits {
	return {
		statementTimeoutMs: r === 'worker' ? envMs('PG_BUILD_STATEMENT_TIMEOUT_MS', 900_000) : envMs('PG_STATEMENT_TIMEOUT_MS', 30_000),
		idleInTransactionMs: envMs('PG_IDLE_IN_TRANSACTION_MS', 60_000)
	};
}

/** How long getting a connection may take, whether connecting anew or waiting for a busy pool. */
function connectTimeoutMs(): number {
	return envMs('PG_CONNECT_TIMEOUT_MS', 5_000) || 5_000;
}

/**
 * The CPU priority (nice, 0–19) of the worker and its Postgres backends: a build's COPY can use
 * a whole core for seconds, and at the same priority it doubles the latency of every list a
 * person opens meanwhile. Postgres has no CPU priority of its own, so the worker renices its
 * backends' processes — only where that is possible: Postgres on this host (a local address
 * or socket), the pid really a postgres process, and the right to renice it (root or the same
 * user). Anywhere else the setting does nothing for the backends. BUILD_NICE=0 turns it off.
 */
export function buildNice(): number {
	const n = Number(process.env.BUILD_NICE ?? 10);
	return Number.isInteger(n) && n >= 0 && n <= 19 ? n : 10;
}

/**
 * Makes this process a builder, as the worker runs one: the build limits for its pools
 * (setDbRole), itself at BUILD_NICE, and its session's autogroup too when it leads that session
 * (started with setsid); its backends follow as they connect (reniceBackend). Says what became
 * of each, for the caller to log.
 */
export function runAsBuilder(): { niceError: Error | null; group: AutogroupOutcome } {
	setDbRole('worker');
	let niceError: Error | null = null;
	try {
		setPriority(buildNice());
	} catch (err) {
		niceError = err as Error;
	}
	return { niceError, group: lowerAutogroup('self', buildNice()) };
}

/**
 * Settings of the worker's sessions (builds):
 * - no JIT: an export's or a statement's COPY is costly enough for Postgres to compile its
 *   expressions, ~160 ms before the first row here, and the compiled rows were no faster: the
 *   1M-row payments export's query ran 1.58–1.67 s without against 1.70–1.84 s with (EXPLAIN
 *   ANALYZE, alternating). A build is one long statement; JIT pays off on none of them.
 * - with BUILD_NICE, no parallel query: its workers are the postmaster's children, not the
 *   reniced backend's, so a build's Gather would run its scans at full priority beside the web.
 */
function workerSessionOptions(): string[] {
	return ['-c jit=off', ...(buildNice() > 0 ? ['-c max_parallel_workers_per_gather=0'] : [])];
}

function sessionOptionsOf(poolRole: DbRole, extra: string | undefined): { options?: string } {
	const all = [...(poolRole === 'worker' ? workerSessionOptions() : []), ...(extra ? [extra] : [])];
	return all.length ? { options: all.join(' ') } : {};
}

function isLocalHost(host: string | undefined): boolean {
	return !host || host.startsWith('/') || host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Lowers the priority of a local backend; false when it was not possible (see buildNice). */
export function reniceBackend(client: pg.Client, nice = buildNice()): boolean {
	const pid = (client as pg.Client & { processID?: number }).processID;
	if (!nice || !pid || !isLocalHost(client.host)) return false;
	try {
		// A pid of a remote server could be any local process: renice only a postgres one.
		if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return false;
		setPriority(pid, nice);
		// Each backend leads a session of its own: with autogroups on, its group's weight is what counts.
		lowerAutogroup(pid, nice);
		return true;
	} catch {
		return false;
	}
}

// Where the pools report a lost connection. db/ imports nothing of the app: the web and the
// worker hand it their logger at start; scripts and tests keep stderr.
let reportLost: (line: string) => void = (line) => console.error(line);

export function setDbLog(report: (line: string) => void): void {
	reportLost = report;
}

/** Connections per process in the main pool (PG_POOL_MAX, 10). */
export function poolMax(): number {
	return Number(process.env.PG_POOL_MAX ?? 10);
}

/**
 * A pg pool that survives Postgres going away. Scripts (migrate, seed) pass no limits: a
 * migration or a big seed may legitimately run one statement for minutes, and they queue
 * their own work on a few connections. `acquireTimeoutMs` bounds the wait for a free
 * connection of a full pool (0 = wait as long as it takes). By default only the web's pool
 * (limits given, role 'web') is bounded — by the connect timeout — so a request answers 503
 * instead of queueing forever; a script's or the worker's queued query waits its turn (the big
 * seed's invariant checks failed on a 4-connection pool when every pool was bounded).
 */
export function createPool(
	url = databaseUrl(),
	max = poolMax(),
	limits?: SessionLimits,
	opts: { acquireTimeoutMs?: number; role?: DbRole; sessionOptions?: string } = {}
): pg.Pool {
	const connectMs = connectTimeoutMs();
	const poolRole = opts.role ?? role;
	// The pool web requests run on: bounded waits, and fixed-size once open (see warmPool).
	const requests = !!limits && poolRole === 'web';
	const pool = new pg.Pool({
		connectionString: url,
		max,
		application_name: 'merchant-backoffice',
		// pg-pool uses one option for both waits; the client class below keeps the connect bound
		// whatever the pool's wait is.
		Client: class extends pg.Client {
			constructor(config?: pg.ClientConfig) {
				super({ ...config, connectionTimeoutMillis: connectMs });
			}
		},
		connectionTimeoutMillis: opts.acquireTimeoutMs ?? (requests ? connectMs : 0),
		// A connection closed after 10 s idle is one the next burst of people opens again, at ~15 ms
		// to connect and ~10 ms more for each statement's first use on a new backend (catalog loads, planning).
		...(requests ? { min: max } : {}),
		// Notices a peer that vanished without a FIN (a failover, a dropped route) on idle connections.
		keepAlive: true,
		...(limits?.statementTimeoutMs ? { statement_timeout: limits.statementTimeoutMs } : {}),
		...(limits?.idleInTransactionMs ? { idle_in_transaction_session_timeout: limits.idleInTransactionMs } : {}),
		// Settings every session of the pool starts with (the server's `options` startup parameter).
		...sessionOptionsOf(poolRole, opts.sessionOptions)
	});
	// An idle client's connection can die (Postgres restart, admin termination); the pool drops it.
	pool.on('error', (err) => reportLost(`[db] idle connection lost: ${err.message}`));
	// pg-pool takes its own listener off a client while it is checked out, and a client that
	// errors with no listener (a backend terminated mid-query, 57P01) is an uncaught 'error'
	// event that kills the process. The query itself still fails and the pool discards the client.
	pool.on('connect', (client) => {
		client.on('error', (err: Error & { code?: string }) => reportLost(`[db] connection lost: ${err.code ? `${err.code} ` : ''}${err.message}`));
		if (poolRole === 'worker') reniceBackend(client);
	});
	return pool;
}

export function createDb(url = databaseUrl(), max?: number, limits?: SessionLimits, name?: string): Db {
	const pool = createPool(url, max, limits);
	if (name) trackPool(name, pool);
	const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
	dbPools.set(db, pool);
	return db;
}

const dbPools = new WeakMap<object, pg.Pool>();

/**
 * The pg pool behind a handle made by createDb (undefined for any other): code that needs raw
 * connections to the same database (COPY FROM for stored files) opens its own pool with its options.
 */
export function poolOf(db: object): pg.Pool | undefined {
	return dbPools.get(db);
}

// The process's long-lived pools by name, so the metrics scrape can read their counts
// (total, idle, waiting) without the pools knowing about metrics.
const tracked = new Map<string, pg.Pool>();

export function trackPool(name: string, pool: pg.Pool): pg.Pool {
	tracked.set(name, pool);
	return pool;
}

/** The named pools still open. */
export function trackedPools(): [string, pg.Pool][] {
	return [...tracked].filter(([, pool]) => !pool.ended);
}

/**
 * Opens every connection of `db`'s pool at once and keeps them (the web's pool has min = max),
 * so the first people after a start or a quiet spell find them open, as a fixed-size pool does
 * (HikariCP's advice for responsiveness to spikes). Sized by the rule in README "Operations":
 * (PG_POOL_MAX + FILE_POOL_MAX) × processes below max_connections. Postgres down: nothing
 * opens, and requests connect as they come.
 */
export async function warmPool(db: Db): Promise<number> {
	const pool = poolOf(db);
	if (!pool) return 0;
	const clients = await Promise.allSettled(Array.from({ length: pool.options.max ?? 0 }, () => pool.connect()));
	let opened = 0;
	for (const c of clients)
		if (c.status === 'fulfilled') {
			c.value.release();
			opened++;
		}
	return opened;
}

let shared: Db | undefined;
/** The process-wide database handle (web or worker). Tests build their own with createDb. */
export function getDb(): Db {
	shared ??= createDb(undefined, undefined, sessionLimits(), 'main');
	return shared;
}

export async function closeDb(): Promise<void> {
	if (shared) {
		const d = shared;
		shared = undefined;
		await d.destroy();
	}
}
