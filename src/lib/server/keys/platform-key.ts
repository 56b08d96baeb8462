// 参数管理 → 连连账户+: the merchant's RSA public key the platform verifies its requests with
// (商户公钥), the platform's own public key offered for download, and 签名验证.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import type { PlatformKeyView, VerifyAlgorithm, VerifyResult } from '#shared/schemas/keys.ts';
import { writeAudit } from '../audit.ts';
import type { KeyActor } from './actor.ts';
import { KeyInputError, KeyNotFoundError } from './errors.ts';
import { platformPublicKey, savedPublicKey, validateMerchantPublicKey, verifyWithPublicKey } from './platform.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** 连连账户+ tab: 商户号, 签名方式, the saved 商户公钥 and the platform's public key. */
export async function getPlatformKey(db: Db, merchantId: bigint): Promise<PlatformKeyView> {
	const merchant = await db.selectFrom('merchants').select('merchant_no').where('id', '=', merchantId).executeTakeFirst();
	if (!merchant) throw new KeyNotFoundError();
	const row = await db
		.selectFrom('platform_keys as p')
		.leftJoin('staff as s', 's.id', 'p.updated_by')
		.select(['p.merchant_public_key', 'p.fingerprint', 'p.updated_at', 'p.updated_by', 's.name as updated_by_name'])
		.where('p.merchant_id', '=', merchantId)
		.executeTakeFirst();
	const platform = platformPublicKey();
	let merchantPublicKey: PlatformKeyView['merchantPublicKey'] = null;
	if (row?.merchant_public_key) {
		const saved = savedPublicKey(row.merchant_public_key);
		merchantPublicKey = { pem: row.merchant_public_key, bits: saved?.bits ?? 0, fingerprint: row.fingerprint ?? saved?.fingerprint ?? '' };
	}
	return {
		merchantNo: merchant.merchant_no,
		signType: 'RSA',
		merchantPublicKey,
		platformPublicKeyPem: platform.pem,
		platformPublicKeyFingerprint: platform.fingerprint,
		updatedAt: row?.updated_at ?? null,
		updatedBy: row?.updated_by != null ? { id: row.updated_by, name: row.updated_by_name ?? '' } : null
	};
}

/** 商户公钥: validates and saves the merchant's RSA public key (stored as SPKI PEM). */
export async function setPlatformPublicKey(db: Kysely<DB>, actor: KeyActor, publicKeyText: string): Promise<PlatformKeyView> {
	const r = await validateMerchantPublicKey(publicKeyText);
	if (!r.ok) throw new KeyInputError(r.issues);
	const { pem, fingerprint, bits } = r.value;
	await db.transaction().execute(async (tx) => {
		const before = await tx
			.selectFrom('platform_keys')
			.select('fingerprint')
			.where('merchant_id', '=', actor.merchantId)
			.forUpdate()
			.executeTakeFirst();
		const now = new Date();
		await tx
			.insertInto('platform_keys')
			.values({ merchant_id: actor.merchantId, merchant_public_key: pem, fingerprint, updated_at: now, updated_by: actor.staffId })
			.onConflict((oc) =>
				oc.column('merchant_id').doUpdateSet({ merchant_public_key: pem, fingerprint, updated_at: now, updated_by: actor.staffId })
			)
			.execute();
		await writeAudit(tx, {
			merchantId: actor.merchantId,
			staffId: actor.staffId,
			actorName: actor.actorName ?? null,
			action: 'keys.platform.publicKey',
			targetType: 'platform_key',
			targetId: actor.merchantId,
			detail: { fingerprint, bits, previousFingerprint: before?.fingerprint ?? null },
			ip: actor.ip ?? null,
			userAgent: actor.userAgent ?? null
		});
	});
	return getPlatformKey(db, actor.merchantId);
}

/** 签名验证 against the saved 商户公钥. */
export async function verifyMerchantSignature(
	db: Db,
	merchantId: bigint,
	input: { body: string; signature: string; algorithm?: VerifyAlgorithm | 'auto' }
): Promise<VerifyResult> {
	const row = await db.selectFrom('platform_keys').select('merchant_public_key').where('merchant_id', '=', merchantId).executeTakeFirst();
	if (!row?.merchant_public_key) throw new KeyInputError([{ field: 'publicKey', key: 'keys.platform.publicKeyNotSet' }]);
	const r = await verifyWithPublicKey(row.merchant_public_key, input.body, input.signature, input.algorithm ?? 'auto');
	if (!r.ok) throw new KeyInputError(r.issues);
	return r.value;
}
