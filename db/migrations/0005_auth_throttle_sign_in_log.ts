import { sql, type Kysely } from 'kysely';

// Frozen. Attempt limits that hold under any concurrency, a sign-in log apart from the audit
// log, and SMS bodies without their passwords and codes.
//
// auth_throttle: one row per limited thing (an address, an account from an address, a reset
// code's phone…). auth_throttle_take() reserves an attempt atomically BEFORE the password or
// code is checked, so however many requests arrive at once (batched, parallel) at most p_max
// are checked per window. The reservation that uses the last slot restarts the window, so a
// used-up key stays refused for a whole window after its last allowed attempt.
//
// sign_in_log: sign-in attempts and unauthenticated password-reset events. They used to go to
// the merchant's append-only audit log, where anyone who knows a merchant number could add
// rows without bound; this table is pruned (the upkeep job), and its rows are bounded by the
// throttles anyway.
//
// sms_outbox.body now keeps the text with its secret replaced by ******; the whole text is
// kept encrypted in `secret` only until `secret_expires_at` (the demo's sign-in page shows it
// for a few minutes), then the upkeep job clears it.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
CREATE TABLE auth_throttle (
  key           text PRIMARY KEY CHECK (length(key) <= 300),
  attempts      integer NOT NULL CHECK (attempts >= 0),
  window_start  timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_throttle_updated ON auth_throttle (updated_at);

CREATE FUNCTION auth_throttle_take(p_key text, p_max integer, p_window interval,
  OUT allowed boolean, OUT remaining integer, OUT retry_at timestamptz)
LANGUAGE plpgsql AS $fn$
DECLARE
  r auth_throttle%ROWTYPE;
BEGIN
  INSERT INTO auth_throttle (key, attempts, window_start) VALUES (p_key, 0, now()) ON CONFLICT (key) DO NOTHING;
  SELECT * INTO r FROM auth_throttle WHERE key = p_key FOR UPDATE;
  IF r.window_start + p_window <= now() THEN
    r.attempts := 0;
    r.window_start := now();
  END IF;
  IF r.attempts >= p_max THEN
    allowed := false;
    remaining := 0;
    retry_at := r.window_start + p_window;
    RETURN;
  END IF;
  r.attempts := r.attempts + 1;
  IF r.attempts >= p_max THEN r.window_start := now(); END IF;
  UPDATE auth_throttle SET attempts = r.attempts, window_start = r.window_start, updated_at = now() WHERE key = p_key;
  allowed := true;
  remaining := p_max - r.attempts;
  retry_at := CASE WHEN remaining = 0 THEN r.window_start + p_window END;
END
$fn$;

CREATE TABLE sign_in_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id  bigint REFERENCES merchants(id),
  staff_id     bigint REFERENCES staff(id) ON DELETE SET NULL,
  event        text NOT NULL CHECK (event IN ('signIn', 'resetCodeRequest', 'reset')),
  ok           boolean NOT NULL,
  reason       text CHECK (length(reason) <= 40),
  phone        text CHECK (length(phone) <= 20),
  ip           text CHECK (length(ip) <= 100),
  user_agent   text CHECK (length(user_agent) <= 500),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_log_merchant ON sign_in_log (merchant_id, created_at DESC, id DESC);
CREATE INDEX sign_in_log_staff ON sign_in_log (staff_id, created_at DESC);
CREATE INDEX sign_in_log_created ON sign_in_log (created_at);

DROP TABLE sign_in_failures;

ALTER TABLE sms_outbox ADD COLUMN secret jsonb, ADD COLUMN secret_expires_at timestamptz;
CREATE INDEX sms_outbox_secret_expires ON sms_outbox (secret_expires_at) WHERE secret IS NOT NULL;
-- Bodies written before this migration held passwords and codes in clear.
UPDATE sms_outbox SET body = '******' WHERE purpose IN ('INITIAL_PASSWORD', 'OPERATOR_PASSWORD_RESET', 'RESET_PASSWORD');

CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sms_codes_expires ON sms_codes (expires_at);
CREATE INDEX password_reset_requests_created ON password_reset_requests (created_at);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DROP INDEX IF EXISTS password_reset_requests_created;
DROP INDEX IF EXISTS sms_codes_expires;
DROP INDEX IF EXISTS sessions_expires;
ALTER TABLE sms_outbox DROP COLUMN IF EXISTS secret, DROP COLUMN IF EXISTS secret_expires_at;
CREATE TABLE IF NOT EXISTS sign_in_failures (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ip          text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sign_in_failures_ip ON sign_in_failures (ip, created_at DESC);
DROP TABLE IF EXISTS sign_in_log;
DROP FUNCTION IF EXISTS auth_throttle_take(text, integer, interval);
DROP TABLE IF EXISTS auth_throttle;
`.execute(db);
}
