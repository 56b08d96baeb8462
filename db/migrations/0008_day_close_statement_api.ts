import { sql, type Kysely } from 'kysely';

// Frozen. Statements that stay equal to the ledger (issue 10).
//
// closed_days: per merchant, the last accounting date that is closed (its statement built, or
// the daily run past its cut-off). No posting is booked on a closed date again: the ledger
// books a late posting on the first open date. The ledger reads this row under a FOR KEY SHARE
// lock on the merchant's row, and closing takes FOR UPDATE on that row, so a close and a
// posting of the same merchant never overlap (src/lib/server/ledger/close.ts).
//
// statement_api_nonces: the nonces of signed statement API calls, kept until their timestamp's
// window has passed, so a captured request cannot be replayed.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
CREATE TABLE closed_days (
  merchant_id     bigint PRIMARY KEY REFERENCES merchants(id),
  closed_through  date NOT NULL,
  closed_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE statement_api_nonces (
  merchant_id  bigint NOT NULL REFERENCES merchants(id),
  nonce        text NOT NULL CHECK (length(nonce) BETWEEN 16 AND 64),
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, nonce)
);
CREATE INDEX statement_api_nonces_expiry ON statement_api_nonces (expires_at);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DROP TABLE IF EXISTS statement_api_nonces;
DROP TABLE IF EXISTS closed_days;
`.execute(db);
}
