import { sql, type Kysely } from 'kysely';

// Frozen. A day's statement in under a second (issue 13): its 余额核对 reads each merchant
// account's flows of the day and the balance after the last flow before and on the day.
//
// fund_flows_account_day: the day's flows of one account, index only (the sums by direction
// over the day no longer read the ~10 days of flows around it from the heap, ~85k rows an
// account on the 5M-order merchant).
// fund_flows_account_balance: the account's flows newest first with their accounting date and
// balance, index only, for "the last flow booked before / on the day" (walked back over the
// days after it without heap reads).
// file_chunks.data: compressed by Postgres with lz4 where the server has it (a CSV chunk
// stores at ~20 %, so a tenth of the WAL and faster to read back); already-compressed
// chunks (XLSX) are stored as they are. Existing chunks keep their storage.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
CREATE INDEX IF NOT EXISTS fund_flows_account_day ON fund_flows (account_id, accounting_date) INCLUDE (direction, amount, created_at);
CREATE INDEX IF NOT EXISTS fund_flows_account_balance ON fund_flows (account_id, id) INCLUDE (accounting_date, balance_after);
DO $$
BEGIN
  ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTENDED, ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 not available: file chunks stay uncompressed';
END $$;
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DROP INDEX IF EXISTS fund_flows_account_day;
DROP INDEX IF EXISTS fund_flows_account_balance;
ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL, ALTER COLUMN data SET COMPRESSION default;
`.execute(db);
}
