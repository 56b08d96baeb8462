import { sql, type Kysely } from 'kysely';

// Frozen. Every 找回密码 code request, whether or not the merchant number and phone exist: the
// cool-down and the per-phone / per-IP limits must answer alike for both, and sms_codes can only
// hold requests for real accounts.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
CREATE TABLE password_reset_requests (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_no   text NOT NULL,
  phone         text NOT NULL,
  ip            text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_requests_phone ON password_reset_requests (merchant_no, phone, created_at DESC);
CREATE INDEX password_reset_requests_ip ON password_reset_requests (ip, created_at DESC);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`DROP TABLE IF EXISTS password_reset_requests`.execute(db);
}
