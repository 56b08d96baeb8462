// 参数管理 → the WeChat and Alipay payment keys: what the keys router calls for them. Validates,
// encrypts secrets into payment_keys.secret_fields, audits every change, and returns only safe
// views: fingerprints and 已设置 flags, never a secret (not even encrypted). The 连连账户+ tab's
// merchant public key is platform-key.ts.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '#db';
import type { PaymentKeysTable } from '#db/types.ts';
import {
	type AlipayKeyInput,
	type KeyIssue,
	type KeyProvider,
	type KeyStatus,
	type PaymentKeyView,
	type SecretView,
	type WechatKeyInput
} from '#shared/schemas/keys.ts';
import { writeAudit, type AuditAction } from '../audit.ts';
import { decryptSecret, encryptSecret, isSecretBox, secretFingerprint, type SecretBox } from '../crypto/secrets.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { parseAlipayUpload, validateAlipayKey } from './alipay.ts';
import type { KeyActor } from './actor.ts';
import { KeyInputError, KeyNotFoundError } from './errors.ts';
import { paymentKeyOwner, SECRET_FIELDS } from './fields.ts';
import { expiresSoon, openWechatUpload, validateWechatKey } from './wechat.ts';

type Db = Kysely<DB> | Transaction<DB>;
type KeyRow = Selectable<PaymentKeysTable>;

export type { KeyActor } from './actor.ts';

interface WechatPublicFields {
	cert?: { serialNumber: string; subject: string; fingerprint: string };
}
interface AlipayPublicFields {
	privateKeyBits?: number;
	alipayPublicKeyBits?: number;
	alipayPublicKeyPem?: string;
}

/** Inputs with the optional secrets absent when not resent (the zod schemas' output shape). */
type WechatSave = Omit<WechatKeyInput, 'id'> & { id?: bigint };
type AlipaySave = Omit<AlipayKeyInput, 'id'> & { id?: bigint };

const KEY_SAVE_ACTIONS = {
	ALIPAY: { create: 'keys.alipay.create', update: 'keys.alipay.update' },
	WECHAT: { create: 'keys.wechat.create', update: 'keys.wechat.update' }
} as const satisfies Record<KeyProvider, Record<'create' | 'update', AuditAction>>;

function audit(db: Db, actor: KeyActor, action: AuditAction, targetId: bigint | null, detail: Record<string, unknown>) {
	return writeAudit(db, {
		merchantId: actor.merchantId,
		staffId: actor.staffId,
		actorName: actor.actorName ?? null,
		action,
		targetType: 'payment_key',
		targetId,
		detail,
		ip: actor.ip ?? null,
		userAgent: actor.userAgent ?? null
	});
}

async function lockRow(tx: Transaction<DB>, merchantId: bigint, provider: KeyProvider, id: bigint): Promise<KeyRow> {
	const row = await tx
		.selectFrom('payment_keys')
		.selectAll()
		.where('id', '=', id)
		.where('merchant_id', '=', merchantId)
		.where('provider', '=', provider)
		.forUpdate()
		.executeTakeFirst();
	if (!row) throw new KeyNotFoundError();
	return row;
}

function secretsOf(row: Pick<KeyRow, 'secret_fields'> | undefined): Record<string, SecretBox> {
	const out: Record<string, SecretBox> = {};
	for (const [k, v] of Object.entries(row?.secret_fields ?? {})) if (isSecretBox(v)) out[k] = v;
	return out;
}

/**
 * Writes the entry: new secrets replace saved ones field by field, the rest stay. Returns the
 * row id. Runs the caller's validation inside the row lock so an edit checks what is saved now.
 */
async function writeEntry(
	db: Kysely<DB>,
	actor: KeyActor,
	provider: KeyProvider,
	id: bigint | undefined,
	duplicateIssue: KeyIssue,
	build: (existing: KeyRow | undefined) => {
		externalId: string;
		appid: string;
		signType: 'RSA' | 'RSA2';
		secrets: Record<string, Buffer | string>;
		fingerprints: Record<string, string>;
		publicFields: Record<string, unknown>;
		validFrom?: Date | null;
		validTo?: Date | null;
		audit: Record<string, unknown>;
	}
): Promise<bigint> {
	try {
		return await db.transaction().execute(async (tx) => {
			const existing = id === undefined ? undefined : await lockRow(tx, actor.merchantId, provider, id);
			const entry = build(existing);
			const secretFields = secretsOf(existing);
			for (const [field, value] of Object.entries(entry.secrets))
				secretFields[field] = encryptSecret(value, paymentKeyOwner(actor.merchantId, provider, entry.externalId, field));
			const fingerprints = { ...(existing?.fingerprints ?? {}), ...entry.fingerprints };
			const publicFields = { ...(existing?.public_fields ?? {}), ...entry.publicFields };
			const changed = Object.keys(entry.secrets);
			const values = {
				appid: entry.appid,
				sign_type: entry.signType,
				public_fields: JSON.stringify(publicFields),
				secret_fields: JSON.stringify(secretFields),
				fingerprints: JSON.stringify(fingerprints),
				...(entry.validFrom !== undefined ? { valid_from: entry.validFrom } : {}),
				...(entry.validTo !== undefined ? { valid_to: entry.validTo } : {}),
				updated_at: new Date(),
				updated_by: actor.staffId
			};
			let rowId: bigint;
			if (existing) {
				await tx.updateTable('payment_keys').set(values).where('id', '=', existing.id).execute();
				rowId = existing.id;
			} else {
				const r = await tx
					.insertInto('payment_keys')
					.values({ ...values, merchant_id: actor.merchantId, provider, external_id: entry.externalId })
					.returning('id')
					.executeTakeFirstOrThrow();
				rowId = r.id;
			}
			const changedFingerprints = Object.fromEntries(changed.map((f) => [f, fingerprints[f]]));
			await audit(tx, actor, KEY_SAVE_ACTIONS[provider][existing ? 'update' : 'create'], rowId, {
				provider,
				externalId: entry.externalId,
				appid: entry.appid,
				signType: entry.signType,
				replacedSecrets: changed,
				fingerprints: changedFingerprints,
				...entry.audit
			});
			return rowId;
		});
	} catch (e) {
		if (isUniqueViolation(e)) throw new KeyInputError([duplicateIssue]);
		throw e;
	}
}

/**
 * 添加/编辑微信商户号. `input.id` set = edit (the 商户号 cannot change). The certificate is
 * opened before the transaction: no connection or row lock waits on the parse worker.
 */
export async function saveWechatKey(db: Kysely<DB>, actor: KeyActor, input: WechatSave, now: Date = new Date()): Promise<PaymentKeyView> {
	const upload = await openWechatUpload(input, now);
	const id = await writeEntry(db, actor, 'WECHAT', input.id, { field: 'mchId', key: 'keys.wechat.duplicate' }, (existing) => {
		const r = validateWechatKey(input, upload, { existing: existing && { mchId: existing.external_id } });
		if (!r.ok) throw new KeyInputError(r.issues);
		const v = r.value;
		const secrets: Record<string, Buffer | string> = {};
		const fingerprints: Record<string, string> = {};
		const publicFields: WechatPublicFields = {};
		if (v.apiKey) {
			secrets.apiKey = v.apiKey;
			fingerprints.apiKey = secretFingerprint(v.apiKey);
		}
		if (v.cert) {
			secrets.certP12 = v.cert.file;
			secrets.certPassword = v.cert.password;
			fingerprints.certP12 = v.cert.fingerprint;
			fingerprints.certPassword = secretFingerprint(v.cert.password);
			publicFields.cert = { serialNumber: v.cert.serialNumber, subject: v.cert.subject, fingerprint: v.cert.fingerprint };
		}
		return {
			externalId: v.mchId,
			appid: v.appid,
			signType: v.signType,
			secrets,
			fingerprints,
			publicFields: { ...publicFields },
			validFrom: v.cert ? v.cert.notBefore : undefined,
			validTo: v.cert ? v.cert.notAfter : undefined,
			audit: v.cert ? { certSerialNumber: v.cert.serialNumber, certNotAfter: v.cert.notAfter.toISOString() } : {}
		};
	});
	return getKey(db, actor.merchantId, id, now);
}

/**
 * 添加/编辑合作者身份(PID). `input.id` set = edit (the PID cannot change). Pasted keys are
 * parsed before the transaction; sizes and pairing are checked against the locked row.
 */
export async function saveAlipayKey(db: Kysely<DB>, actor: KeyActor, input: AlipaySave, now: Date = new Date()): Promise<PaymentKeyView> {
	const upload = await parseAlipayUpload(input);
	const id = await writeEntry(db, actor, 'ALIPAY', input.id, { field: 'pid', key: 'keys.alipay.duplicate' }, (existing) => {
		const saved = (existing?.public_fields ?? {}) as AlipayPublicFields;
		const r = validateAlipayKey(
			input,
			upload,
			existing && {
				pid: existing.external_id,
				privateKeyBits: saved.privateKeyBits,
				privateKeyFingerprint: existing.fingerprints.privateKey,
				alipayPublicKeyBits: saved.alipayPublicKeyBits,
				alipayPublicKeyFingerprint: existing.fingerprints.alipayPublicKey
			}
		);
		if (!r.ok) throw new KeyInputError(r.issues);
		const v = r.value;
		const secrets: Record<string, Buffer | string> = {};
		const fingerprints: Record<string, string> = {};
		const publicFields: AlipayPublicFields = {};
		if (v.privateKey) {
			secrets.privateKey = v.privateKey.pem;
			fingerprints.privateKey = v.privateKey.fingerprint;
			publicFields.privateKeyBits = v.privateKey.bits;
		}
		if (v.alipayPublicKey) {
			fingerprints.alipayPublicKey = v.alipayPublicKey.fingerprint;
			publicFields.alipayPublicKeyBits = v.alipayPublicKey.bits;
			publicFields.alipayPublicKeyPem = v.alipayPublicKey.pem;
		}
		if (v.md5Key) {
			secrets.md5Key = v.md5Key;
			fingerprints.md5Key = secretFingerprint(v.md5Key);
		}
		return {
			externalId: v.pid,
			appid: v.appid,
			signType: v.signType,
			secrets,
			fingerprints,
			publicFields: { ...publicFields },
			audit: v.alipayPublicKey ? { alipayPublicKeyFingerprint: v.alipayPublicKey.fingerprint } : {}
		};
	});
	return getKey(db, actor.merchantId, id, now);
}

/** 启用/停用 an entry. */
export async function setKeyStatus(db: Kysely<DB>, actor: KeyActor, id: bigint, status: KeyStatus, now: Date = new Date()): Promise<PaymentKeyView> {
	await db.transaction().execute(async (tx) => {
		const row = await tx
			.selectFrom('payment_keys')
			.select(['id', 'provider', 'external_id', 'status'])
			.where('id', '=', id)
			.where('merchant_id', '=', actor.merchantId)
			.forUpdate()
			.executeTakeFirst();
		if (!row) throw new KeyNotFoundError();
		if (row.status === status) return;
		await tx.updateTable('payment_keys').set({ status, updated_at: new Date(), updated_by: actor.staffId }).where('id', '=', id).execute();
		await audit(tx, actor, status === 'ENABLED' ? 'keys.enable' : 'keys.disable', id, {
			provider: row.provider,
			externalId: row.external_id,
			from: row.status,
			to: status
		});
	});
	return getKey(db, actor.merchantId, id, now);
}

function baseQuery(db: Db, merchantId: bigint) {
	return db
		.selectFrom('payment_keys as k')
		.leftJoin('staff as s', 's.id', 'k.updated_by')
		.select([
			'k.id',
			'k.provider',
			'k.external_id',
			'k.appid',
			'k.sign_type',
			'k.status',
			'k.public_fields',
			'k.fingerprints',
			// Only the names of the secret fields leave the database, never their boxes.
			sql<string[]>`array(select jsonb_object_keys(k.secret_fields))`.as('secret_names'),
			'k.valid_from',
			'k.valid_to',
			'k.created_at',
			'k.updated_at',
			'k.updated_by',
			's.name as updated_by_name'
		])
		.where('k.merchant_id', '=', merchantId);
}

type ViewRow = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function toView(row: ViewRow, now: Date): PaymentKeyView {
	const set = new Set(row.secret_names ?? []);
	const fps = row.fingerprints ?? {};
	const secrets: Record<string, SecretView> = {};
	for (const f of SECRET_FIELDS[row.provider]) secrets[f] = { set: set.has(f), fingerprint: set.has(f) ? (fps[f] ?? null) : null };
	const pub = (row.public_fields ?? {}) as WechatPublicFields & AlipayPublicFields;
	const cert =
		row.provider === 'WECHAT' && pub.cert && row.valid_from && row.valid_to
			? { serialNumber: pub.cert.serialNumber, subject: pub.cert.subject, fingerprint: pub.cert.fingerprint, notBefore: row.valid_from, notAfter: row.valid_to }
			: null;
	return {
		id: row.id,
		provider: row.provider,
		externalId: row.external_id,
		appid: row.appid,
		signType: row.sign_type,
		status: row.status,
		validFrom: row.valid_from,
		validTo: row.valid_to,
		expired: row.valid_to ? row.valid_to.getTime() <= now.getTime() : false,
		expiresSoon: row.valid_to ? expiresSoon(row.valid_to, now) : false,
		secrets,
		certificate: cert,
		privateKeyBits: row.provider === 'ALIPAY' ? (pub.privateKeyBits ?? null) : null,
		alipayPublicKey:
			row.provider === 'ALIPAY' && pub.alipayPublicKeyPem
				? { pem: pub.alipayPublicKeyPem, bits: pub.alipayPublicKeyBits ?? 0, fingerprint: fps.alipayPublicKey ?? '' }
				: null,
		createdAt: row.created_at,
		updatedAt: row.updated_at,
		updatedBy: row.updated_by != null ? { id: row.updated_by, name: row.updated_by_name ?? '' } : null
	};
}

/** The list on one tab (支付密钥列表), newest first. */
export async function listKeys(db: Db, merchantId: bigint, provider: KeyProvider, now: Date = new Date()): Promise<PaymentKeyView[]> {
	const rows = await baseQuery(db, merchantId).where('k.provider', '=', provider).orderBy('k.created_at', 'desc').orderBy('k.id', 'desc').execute();
	return rows.map((r) => toView(r, now));
}

export async function getKey(db: Db, merchantId: bigint, id: bigint, now: Date = new Date()): Promise<PaymentKeyView> {
	const row = await baseQuery(db, merchantId).where('k.id', '=', id).executeTakeFirst();
	if (!row) throw new KeyNotFoundError();
	return toView(row, now);
}

/** Enabled entries whose certificate is expired or has under 30 days left (the home page's warning). */
export async function listExpiringKeys(db: Db, merchantId: bigint, now: Date = new Date()): Promise<PaymentKeyView[]> {
	const horizon = new Date(now.getTime() + 30 * 86_400_000);
	const rows = await baseQuery(db, merchantId)
		.where('k.status', '=', 'ENABLED')
		.where('k.valid_to', 'is not', null)
		.where('k.valid_to', '<', horizon)
		.orderBy('k.valid_to', 'asc')
		.execute();
	return rows.map((r) => toView(r, now));
}

/**
 * Server-side use only (signing requests to WeChat/Alipay): the decrypted secrets of one
 * entry. Never hand the result to a view or a log.
 */
export async function readKeySecrets(db: Db, merchantId: bigint, id: bigint): Promise<Record<string, Buffer>> {
	const row = await db
		.selectFrom('payment_keys')
		.select(['provider', 'external_id', 'secret_fields'])
		.where('id', '=', id)
		.where('merchant_id', '=', merchantId)
		.executeTakeFirst();
	if (!row) throw new KeyNotFoundError();
	const out: Record<string, Buffer> = {};
	for (const [field, box] of Object.entries(secretsOf(row)))
		out[field] = decryptSecret(box, paymentKeyOwner(merchantId, row.provider, row.external_id, field));
	return out;
}
