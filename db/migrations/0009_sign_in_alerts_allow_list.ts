import { sql, type Kysely } from 'kysely';

// Frozen. Account security (issue 11), sign-in alerts and the address allow-list.
//
// merchants.sign_in_allow_list: the addresses and CIDR ranges (IPv4 and IPv6, as text) the
// merchant's back office may be signed in from; empty means anywhere. At most 100 entries.
//
// staff.first_signed_in_at: when the person first completed a sign-in. Null until then: the
// very first sign-in of an account (the initial password) sends no new-device alert. Kept on
// the staff row because the sign-in log is pruned. Filled for people who signed in already.
//
// sign_in_log events: 'newDeviceAlert' (an SMS said a new device and address signed in) and
// 'sessionEnded' (a session met the allow-list from an address outside it and was ended).
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
ALTER TABLE merchants ADD COLUMN sign_in_allow_list text[] NOT NULL DEFAULT '{}'
  CHECK (cardinality(sign_in_allow_list) <= 100);

ALTER TABLE staff ADD COLUMN first_signed_in_at timestamptz;
UPDATE staff s SET first_signed_in_at = f.at
FROM (
  SELECT staff_id, min(at) AS at FROM (
    SELECT staff_id, created_at AS at FROM sign_in_log WHERE ok AND event IN ('signIn', 'secondFactor') AND staff_id IS NOT NULL
    UNION ALL
    SELECT staff_id, created_at FROM sessions WHERE NOT second_factor_pending
  ) x GROUP BY staff_id
) f
WHERE f.staff_id = s.id;
UPDATE staff SET first_signed_in_at = password_changed_at WHERE first_signed_in_at IS NULL AND password_changed_at IS NOT NULL AND NOT must_change_password;

ALTER TABLE sign_in_log DROP CONSTRAINT sign_in_log_event_check;
ALTER TABLE sign_in_log ADD CONSTRAINT sign_in_log_event_check
  CHECK (event IN ('signIn', 'resetCodeRequest', 'reset', 'secondFactor', 'newDeviceAlert', 'sessionEnded'));
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DELETE FROM sign_in_log WHERE event IN ('newDeviceAlert', 'sessionEnded');
ALTER TABLE sign_in_log DROP CONSTRAINT sign_in_log_event_check;
ALTER TABLE sign_in_log ADD CONSTRAINT sign_in_log_event_check
  CHECK (event IN ('signIn', 'resetCodeRequest', 'reset', 'secondFactor'));
ALTER TABLE staff DROP COLUMN IF EXISTS first_signed_in_at;
ALTER TABLE merchants DROP COLUMN IF EXISTS sign_in_allow_list;
`.execute(db);
}
