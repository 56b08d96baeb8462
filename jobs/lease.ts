// The row lease both file-building jobs hold: the Postgres row, not BullMQ, decides who builds.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export class LeaseLost extends Error {
	constructor(what: string) {
		super(`${what} lease lost to another worker`);
	}
}

/** `now() + leaseMs`, evaluated by the database so every worker shares one clock. */
export function leaseExpiry(leaseMs: number) {
	return sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`;
}

export interface HeldLease {
	/** Extends the lease (and records progress); a lost lease is noticed at the next check(). */
	renew(rowsDone?: number): Promise<void>;
	/** Throws LeaseLost once another worker has taken the row over. */
	check(): void;
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
	return {
		renew,
		check: () => {
			if (lost) throw new LeaseLost(o.what);
		},
		release: () => clearInterval(heartbeat)
	};
}
