// The row lease both file-building jobs hold: the Postgres row, not BullMQ, decides who builds.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';

export class LeaseLost extends Error {
	constructor(what: string) {
		super(`${what} lease lost to another worker`);
	}
}

/** `now() + leaseMs`, evaluated by the database so every worker shares one clock. */
export function leaseExpiry(leaseMs: number) {
	return sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`;
}

/** Progress reaches the row (and the person's progress bar) at most this often. */
export const PROGRESS_MS = 500;

export interface HeldLease {
	/** Throws LeaseLost once another worker has taken the row over. */
	check(): void;
	/**
	 * check(), then records the rows done if PROGRESS_MS have passed, without waiting for it:
	 * the rows keep streaming while the UPDATE commits.
	 */
	progress(rowsDone: number): void;
	/** Waits for a progress update still under way (before the row is marked done). */
	settle(): Promise<void>;
	/** Stops the heartbeat. */
	release(): void;
}

/** Keeps a claimed row's lease alive with a heartbeat at a third of its length. */
export function holdLease(
	db: Kysely<DB>,
	o: { table: 'exports' | 'statements'; id: bigint; owner: string; status: string; leaseMs: number; what: string }
): HeldLease {
	let lost = false;
	const renew = async (rowsDone?: number) => {
		const r = await sql`UPDATE ${sql.table(o.table)}
			SET lease_until = ${leaseExpiry(o.leaseMs)},
			    rows_done = coalesce(${rowsDone === undefined ? null : BigInt(rowsDone)}::bigint, rows_done)
			WHERE id = ${o.id} AND lease_owner = ${o.owner} AND status = ${o.status}`.execute(db);
		if (r.numAffectedRows === 0n) lost = true;
	};
	const heartbeat = setInterval(() => void renew().catch(() => {}), Math.max(250, Math.floor(o.leaseMs / 3)));
	const check = () => {
		if (lost) throw new LeaseLost(o.what);
	};
	let reported = 0;
	let inflight: Promise<void> | undefined;
	return {
		check,
		progress: (rowsDone) => {
			check();
			if (inflight || Date.now() - reported < PROGRESS_MS) return;
			reported = Date.now();
			// A failed update is only a missed progress step; the heartbeat keeps the lease.
			inflight = renew(rowsDone)
				.catch(() => {})
				.finally(() => (inflight = undefined));
		},
		settle: async () => {
			await inflight;
		},
		release: () => clearInterval(heartbeat)
	};
}
