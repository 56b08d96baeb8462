import { sql, type Kysely } from 'kysely';

// Frozen. Failed sign-ins per client address: the per-account lockout stops guessing one
// account's password, this stops one address trying many accounts (a phone list against
// common passwords). Rows older than a day are deleted by the hourly upkeep job.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
CREATE TABLE sign_in_failures (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ip          text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (ip, created_at DESC);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`DROP TABLE IF EXISTS sign_in_failures`.execute(db);
}
