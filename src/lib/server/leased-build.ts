// How exports and statements are built: the Postgres row, not BullMQ, decides who builds. A
// build claims its row with a lease (owner + lease_until), keeps the lease alive with a
// heartbeat, and ends by flipping the row to READY in the transaction that completes its
// files, so a killed build leaves nothing visible; a failure puts the row back to waiting (or
// FAILED on the job's last attempt). A lease that ran out means its builder is gone: the row is
// then anyone's to take over, and that is the one rule for "is this build still alive".
// The worker runs this under plain Node: no $app/$env/$lib imports.
import { hostname } from 'node:os';
import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction, type UpdateObject } from 'kysely';
import type { DB } from '#db/types.ts';

type BuildTable = 'exports' | 'statements';

/** Each table's own words for "waiting for a worker" and "being built". */
const BUILD_STATES = {
	exports: { waiting: 'QUEUED', running: 'RUNNING' },
	statements: { waiting: 'PENDING', running: 'BUILDING' }
} as const satisfies Record<BuildTable, { waiting: string; running: string }>;

/** Progress reaches the row (and the person's progress bar) at most this often. */
const PROGRESS_MS = 500;

/** A worker process's name for its leases (host, process, and the job when there is one). */
export function leaseOwner(job?: string): string {
	return `${hostname()}:${process.pid}${job ? `:${job}` : ''}`;
}

/** `now() + leaseMs`, evaluated by the database so every process shares one clock. */
function leaseExpiry(leaseMs: number) {
	return sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`;
}

type AnyBuild = ExpressionBuilder<DB, BuildTable>;

/**
 * The one rule: a build is abandoned (its builder gone, the row anyone's to take over) once
 * it is running and its lease has run out, by the database's clock. A heartbeat renews a live
 * build's lease three times per lease, so a live build is never abandoned.
 */
export function abandoned(table: BuildTable) {
	return sql<boolean>`(${sql.ref(`${table}.status`)} = ${BUILD_STATES[table].running} AND ${sql.ref(`${table}.lease_until`)} < now())`;
}

/** Rows a worker should be building: waiting, or abandoned. */
function unfinished(eb: AnyBuild, table: BuildTable) {
	return eb.or([eb(`${table}.status`, '=', BUILD_STATES[table].waiting), eb(abandoned(table), '=', true)]);
}

/**
 * The ids of rows that should be building, created within `within` (an SQL interval): the
 * worker's sweep enqueues them again when Redis lost their jobs.
 */
export async function unfinishedBuilds<T extends BuildTable>(db: Kysely<DB>, table: T, within: string): Promise<Selectable<DB[T]>[]> {
	const t: BuildTable = table;
	const rows = await db
		.selectFrom(t)
		.selectAll()
		.where((eb) => unfinished(eb, t))
		.where(`${t}.created_at`, '>', sql<Date>`now() - ${within}::interval`)
		.orderBy(`${t}.id`)
		.execute();
	return rows as Selectable<DB[T]>[];
}

class LeaseLost extends Error {
	constructor(what: string) {
		super(`${what} lease lost to another worker`);
	}
}

export interface BuildLease<T extends BuildTable> {
	/** Who holds it: a write to the row outside complete() must be guarded by this. */
	owner: string;
	/** Throws LeaseLost once another worker has taken the row over. */
	check(): void;
	/**
	 * check(), then records the rows done if PROGRESS_MS have passed, without waiting for it:
	 * the rows keep streaming while the UPDATE commits.
	 */
	progress(rowsDone: number): void;
	/**
	 * Waits for a progress update still under way, then runs `files` in one transaction with
	 * marking the row READY with what it returns, only while this build still holds the row
	 * (else LeaseLost, and the transaction, files included, rolls back).
	 */
	complete(files: (tx: Transaction<DB>) => Promise<UpdateObject<DB, T>>): Promise<void>;
}

/** What a caller of a build (the job, a test, the bench) may choose. */
export interface BuildOptions {
	/** Who holds the lease; default leaseOwner(). */
	owner?: string;
	/** Default: the feature's own (EXPORT_LEASE_MS, STATEMENT_LEASE_MS). */
	leaseMs?: number;
	/** The job's last attempt: an error marks the row FAILED instead of waiting for a retry. */
	finalAttempt?: boolean;
}

interface LeasedBuildOptions extends BuildOptions {
	leaseMs: number;
	/** What the row is, in LeaseLost messages. */
	what: string;
}

export type LeasedBuildOutcome<R> =
	| ({ outcome: 'built' } & R)
	| { outcome: 'skipped'; reason: 'done' | 'missing' }
	| { outcome: 'leased'; leaseUntil: Date };

/**
 * Claims row `id` of `table` (waiting, FAILED, or abandoned) and runs `build` under its lease.
 * Not claimed: 'leased' while another worker's lease lives (look again after leaseUntil),
 * 'skipped' when the row is done or gone. An error in `build` releases the row (waiting, or
 * FAILED on the final attempt, with the error's text for the operator) and is thrown again.
 */
export async function runLeasedBuild<T extends BuildTable, R>(
	db: Kysely<DB>,
	table: T,
	id: bigint,
	opts: LeasedBuildOptions,
	build: (row: Selectable<DB[T]>, lease: BuildLease<T>) => Promise<R>
): Promise<LeasedBuildOutcome<R>> {
	const owner = opts.owner ?? leaseOwner();
	const { waiting, running } = BUILD_STATES[table];
	const anyDb = db as unknown as Kysely<DB>;
	const t = table as BuildTable;
	const claimed = await anyDb
		.updateTable(t)
		.set({
			status: running,
			lease_owner: owner,
			lease_until: leaseExpiry(opts.leaseMs),
			attempts: sql`attempts + 1`,
			rows_done: 0n,
			error: null,
			...(table === 'statements' ? { started_at: sql`now()` } : {})
		})
		.where('id', '=', id)
		.where((eb) => eb.or([eb('status', 'in', [waiting, 'FAILED']), eb(abandoned(table), '=', true)]))
		.returningAll()
		.executeTakeFirst();
	if (!claimed) {
		const row = await anyDb.selectFrom(t).select(['status', 'lease_until']).where('id', '=', id).executeTakeFirst();
		if (!row) return { outcome: 'skipped', reason: 'missing' };
		if (row.status === running && row.lease_until) return { outcome: 'leased', leaseUntil: row.lease_until };
		return { outcome: 'skipped', reason: 'done' };
	}

	const held = holdLease(anyDb, t, id, owner, opts.leaseMs, opts.what);
	const lease: BuildLease<T> = {
		owner,
		check: held.check,
		progress: held.progress,
		async complete(files) {
			held.check();
			await held.settle();
			await anyDb.transaction().execute(async (tx) => {
				const set = (await files(tx)) as UpdateObject<DB, BuildTable>;
				const r = await tx
					.updateTable(t)
					.set({ ...set, status: 'READY', error: null, lease_owner: null, lease_until: null, finished_at: sql`now()` })
					.where('id', '=', id)
					.where('lease_owner', '=', owner)
					.where('status', '=', running)
					.executeTakeFirst();
				if (r.numUpdatedRows === 0n) throw new LeaseLost(opts.what);
			});
		}
	};
	try {
		const result = await build(claimed as Selectable<DB[T]>, lease);
		return { outcome: 'built', ...result };
	} catch (err) {
		const reason = err instanceof Error ? err.message : String(err);
		await anyDb
			.updateTable(t)
			.set({
				status: opts.finalAttempt ? 'FAILED' : waiting,
				error: reason.slice(0, 500),
				lease_owner: null,
				lease_until: null,
				finished_at: opts.finalAttempt ? sql`now()` : null
			})
			.where('id', '=', id)
			.where('lease_owner', '=', owner)
			.execute()
			.catch(() => {});
		throw err;
	} finally {
		held.release();
	}
}

/** Keeps a claimed row's lease alive with a heartbeat at a third of its length. */
function holdLease(db: Kysely<DB>, table: BuildTable, id: bigint, owner: string, leaseMs: number, what: string) {
	const running = BUILD_STATES[table].running;
	let lost = false;
	const renew = async (rowsDone?: number) => {
		const r = await db
			.updateTable(table)
			.set({
				lease_until: leaseExpiry(leaseMs),
				rows_done: sql`coalesce(${rowsDone === undefined ? null : BigInt(rowsDone)}::bigint, rows_done)`
			})
			.where('id', '=', id)
			.where('lease_owner', '=', owner)
			.where('status', '=', running)
			.executeTakeFirst();
		if (r.numUpdatedRows === 0n) lost = true;
	};
	const heartbeat = setInterval(() => void renew().catch(() => {}), Math.max(250, Math.floor(leaseMs / 3)));
	const check = () => {
		if (lost) throw new LeaseLost(what);
	};
	let reported = 0;
	let inflight: Promise<void> | undefined;
	return {
		check,
		progress(rowsDone: number) {
			check();
			if (inflight || Date.now() - reported < PROGRESS_MS) return;
			reported = Date.now();
			// A failed update is only a missed progress step; the heartbeat keeps the lease.
			inflight = renew(rowsDone)
				.catch(() => {})
				.finally(() => (inflight = undefined));
		},
		async settle() {
			await inflight;
		},
		release: () => clearInterval(heartbeat)
	};
}
