import { sql, type Kysely } from 'kysely';

// Frozen. 删除操作员 (issue 12, point 2): an operator is deleted softly, so their history keeps
// their name (audit log, 导出记录, key changes, sign-in history all join staff by id).
//
// staff.deleted_at: when the admin deleted the operator; null for everyone still on the team.
// Never the admin (the merchant's one admin cannot be deleted).
// The phone stays unique per merchant among the living only: a deleted operator's phone may be
// given to a new operator. The index keeps the old constraint's name, so a clash still reads as
// staff_merchant_id_phone_key.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
ALTER TABLE staff ADD COLUMN deleted_at timestamptz;
ALTER TABLE staff ADD CONSTRAINT staff_admin_not_deleted CHECK (deleted_at IS NULL OR NOT is_admin);
ALTER TABLE staff DROP CONSTRAINT staff_merchant_id_phone_key;
CREATE UNIQUE INDEX staff_merchant_id_phone_key ON staff (merchant_id, phone) WHERE deleted_at IS NULL;
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DROP INDEX IF EXISTS staff_merchant_id_phone_key;
ALTER TABLE staff ADD CONSTRAINT staff_merchant_id_phone_key UNIQUE (merchant_id, phone);
ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_admin_not_deleted, DROP COLUMN IF EXISTS deleted_at;
`.execute(db);
}
