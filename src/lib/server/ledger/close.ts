// Day close (SPEC §6, README "Statements and the accounting day"): once a merchant's accounting
// date is closed, nothing is booked on it again. A posting whose event time falls on a closed
// date is booked on the first open date (ACCP账务日期) and keeps its true time (订单完成时间).
//
// The lock protocol: a posting reads closed_days under FOR KEY SHARE on the merchant's row and
// holds it to its commit; closing takes FOR UPDATE on that row (which waits for those postings
// and holds new ones back) and moves closed_through forward. So a statement build, which closes
// its day first and reads afterwards, sees every posting ever booked on that day.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '#db/types.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { LedgerError } from './errors.ts';
import { inTransaction } from './tx.ts';

/** The merchant's last closed date (null: none), holding the merchant row against a close until commit. */
export async function closedThrough(trx: Transaction<DB>, merchantId: bigint): Promise<string | null> {
	const r = await sql<{ closed_through: string | null }>`
		SELECT to_char(c.closed_through, 'YYYY-MM-DD') AS closed_through
		FROM merchants m LEFT JOIN closed_days c ON c.merchant_id = m.id
		WHERE m.id = ${merchantId} FOR KEY SHARE OF m`.execute(trx);
	if (r.rows.length === 0) throw new LedgerError('ledger.unknownMerchant', String(merchantId));
	return r.rows[0].closed_through;
}

/** The accounting date a posting of `at` is booked on: its Shanghai date, or the first open date if that is closed. */
export async function bookingDate(trx: Transaction<DB>, merchantId: bigint, at: Date): Promise<string> {
	return openDateFor(businessDate(at), await closedThrough(trx, merchantId));
}

/** `date` itself when still open, else the day after the last closed one. */
export function openDateFor(date: string, closed: string | null): string {
	return closed !== null && date <= closed ? addDays(closed, 1) : date;
}

/**
 * Closes the merchant's books through `date` (never backwards). Waits for postings in flight;
 * afterwards no posting lands on `date` or before. Returns the closed-through date.
 */
export async function closeDay(db: Kysely<DB>, merchantId: bigint, date: string): Promise<string> {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new LedgerError('ledger.invalidPosting', date);
	return inTransaction(db, async (trx) => {
		const m = await sql`SELECT id FROM merchants WHERE id = ${merchantId} FOR UPDATE`.execute(trx);
		if (m.rows.length === 0) throw new LedgerError('ledger.unknownMerchant', String(merchantId));
		const r = await sql<{ closed_through: string }>`
			INSERT INTO closed_days (merchant_id, closed_through) VALUES (${merchantId}, ${date}::date)
			ON CONFLICT (merchant_id) DO UPDATE SET
				closed_through = GREATEST(closed_days.closed_through, EXCLUDED.closed_through),
				closed_at = CASE WHEN EXCLUDED.closed_through > closed_days.closed_through THEN now() ELSE closed_days.closed_at END
			RETURNING to_char(closed_through, 'YYYY-MM-DD') AS closed_through`.execute(trx);
		return r.rows[0].closed_through;
	});
}
