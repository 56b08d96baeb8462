import { sql, type Kysely } from 'kysely';

// Frozen. Account security (issue 11): a second factor (TOTP) per person, single-use recovery
// codes, a merchant-wide "require two-factor" switch, and sessions that know whether their
// second factor is still pending, when their person last proved who they are (step-up) and
// when they were last used (设置 → 登录设备).
//
// staff.totp_secret / totp_pending_secret hold SecretBoxes (AES-GCM under the KEK, as payment
// keys do), never the key itself. totp_last_counter is the time step of the last accepted code:
// a code is accepted only for a later step, so a used code cannot be replayed within its window.
// totp_pending_* is an enrolment not yet confirmed by a first code; it lapses.
//
// recovery_codes: argon2id hashes; a used code keeps its row (used_at) so the person can see how
// many are left.
//
// sessions.second_factor_pending: the password was right but the code is still to come; such a
// session can only verify the code or be abandoned, and lives minutes. verified_at: the last
// password or code check in this session, for step-up. last_seen_at: for the devices list.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
ALTER TABLE merchants ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false;

ALTER TABLE staff
  ADD COLUMN totp_secret jsonb,
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_counter bigint,
  ADD COLUMN totp_pending_secret jsonb,
  ADD COLUMN totp_pending_expires_at timestamptz,
  ADD CONSTRAINT staff_totp_enabled CHECK ((totp_secret IS NULL) = (totp_enabled_at IS NULL));

CREATE TABLE recovery_codes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_id    bigint NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  code_hash   text NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_staff ON recovery_codes (staff_id);

ALTER TABLE sessions
  ADD COLUMN second_factor_pending boolean NOT NULL DEFAULT false,
  ADD COLUMN verified_at timestamptz,
  ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
-- A session that exists today was opened by a password check.
UPDATE sessions SET verified_at = created_at, last_seen_at = created_at;

ALTER TABLE sign_in_log DROP CONSTRAINT sign_in_log_event_check;
ALTER TABLE sign_in_log ADD CONSTRAINT sign_in_log_event_check
  CHECK (event IN ('signIn', 'resetCodeRequest', 'reset', 'secondFactor'));
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DELETE FROM sign_in_log WHERE event = 'secondFactor';
ALTER TABLE sign_in_log DROP CONSTRAINT sign_in_log_event_check;
ALTER TABLE sign_in_log ADD CONSTRAINT sign_in_log_event_check CHECK (event IN ('signIn', 'resetCodeRequest', 'reset'));
DELETE FROM sessions WHERE second_factor_pending;
ALTER TABLE sessions DROP COLUMN IF EXISTS second_factor_pending, DROP COLUMN IF EXISTS verified_at, DROP COLUMN IF EXISTS last_seen_at;
DROP TABLE IF EXISTS recovery_codes;
ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_totp_enabled,
  DROP COLUMN IF EXISTS totp_secret, DROP COLUMN IF EXISTS totp_enabled_at, DROP COLUMN IF EXISTS totp_last_counter,
  DROP COLUMN IF EXISTS totp_pending_secret, DROP COLUMN IF EXISTS totp_pending_expires_at;
ALTER TABLE merchants DROP COLUMN IF EXISTS require_two_factor;
`.execute(db);
}
