// 开户 through the ingest API: the platform opens a merchant. One transaction writes the merchant,
// its four accounts and its admin (a random initial password, only its hash kept, to be changed
// at first sign-in — the operators' flow); the password goes out by SMS once that is committed.
// Idempotent on merchant_no: the same call again answers with the same merchant and sends nothing.
import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import type { IngestInput } from '#shared/schemas/ingest.ts';
import { writeAudit } from '../audit.ts';
import { hashPassword } from '../auth/password.ts';
import { generateInitialPassword } from '../auth/password-policy.ts';
import { openMerchantAccounts } from '../ledger/index.ts';
import { maskName, maskPhone } from '../mask.ts';
import { secretSms, sendSms, type SmsSender } from '../sms/index.ts';
import { IngestError } from './errors.ts';

export interface OpenedMerchant {
	created: boolean;
	/** The merchant's id. */
	id: bigint;
	adminId: bigint;
	/** How the SMS ended; null when nothing was sent (a replay). */
	smsStatus: 'SENT' | 'FAILED' | null;
}

/** Who wrote the audit entry: the platform, not a person of the merchant. */
export const PLATFORM_ACTOR = '平台';

export async function openMerchant(db: Kysely<DB>, m: IngestInput<'merchants'>, now: Date, sender?: SmsSender): Promise<OpenedMerchant> {
	// Hashed before the transaction: no connection is held while argon2 runs.
	const password = generateInitialPassword();
	const passwordHash = await hashPassword(password);
	const r = await db.transaction().execute(async (trx) => {
		const inserted = await trx
			.insertInto('merchants')
			.values({ merchant_no: m.merchant_no, name: m.name, created_at: now })
			.onConflict((oc) => oc.column('merchant_no').doNothing())
			.returning('id')
			.executeTakeFirst();
		if (!inserted) return { created: false as const, ...(await replayOf(trx, m)) };
		await openMerchantAccounts(trx, inserted.id);
		const admin = await trx
			.insertInto('staff')
			.values({
				merchant_id: inserted.id,
				is_admin: true,
				name: m.admin_name,
				phone: m.admin_phone,
				email: null,
				password_hash: passwordHash,
				must_change_password: true,
				created_at: now,
				updated_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await writeAudit(trx, {
			merchantId: inserted.id,
			staffId: null,
			actorName: PLATFORM_ACTOR,
			action: 'merchants.open',
			targetType: 'staff',
			targetId: admin.id,
			detail: { merchantNo: m.merchant_no, name: m.name, adminName: maskName(m.admin_name), adminPhone: maskPhone(m.admin_phone) }
		});
		return { created: true as const, id: inserted.id, adminId: admin.id };
	});
	if (!r.created) return { ...r, smsStatus: null };
	const sms = await sendSms(
		db,
		{
			merchantId: r.id,
			phone: m.admin_phone,
			...secretSms('sms.body.initialPassword', { name: m.admin_name, merchantNo: m.merchant_no }, { password }),
			purpose: 'INITIAL_PASSWORD'
		},
		sender
	);
	return { ...r, smsStatus: sms.status };
}

/**
 * The merchant exists: the same opening again is answered with it; a different one is refused —
 * a phone one of its people already has cannot become the admin's, and a different name or
 * admin under the same merchant number is another merchant.
 */
async function replayOf(trx: Kysely<DB>, m: IngestInput<'merchants'>): Promise<{ id: bigint; adminId: bigint }> {
	const merchant = await trx.selectFrom('merchants').select(['id', 'name']).where('merchant_no', '=', m.merchant_no).executeTakeFirstOrThrow();
	const admin = await trx
		.selectFrom('staff')
		.select(['id', 'name', 'phone'])
		.where('merchant_id', '=', merchant.id)
		.where('is_admin', '=', true)
		.executeTakeFirst();
	if (merchant.name === m.name && admin && admin.phone === m.admin_phone && admin.name === m.admin_name) return { id: merchant.id, adminId: admin.id };
	if (admin?.phone !== m.admin_phone) {
		const taken = await trx
			.selectFrom('staff')
			.select('id')
			.where('merchant_id', '=', merchant.id)
			.where('phone', '=', m.admin_phone)
			.executeTakeFirst();
		if (taken) throw new IngestError(409, 'PHONE_TAKEN', 'ingest.phoneTaken');
	}
	throw new IngestError(409, 'MERCHANT_CONFLICT', 'ingest.merchantConflict');
}
