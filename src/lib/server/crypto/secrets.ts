// Secrets at rest: AES-256-GCM under a key-encryption key (KEK) named by a key id, so the
// KEK can be rotated (scripts/rotate-kek.ts). Relative imports only: the rotation script
// runs this under plain tsx.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { DomainError } from '../domain-error.ts';
import { logger } from '../log.ts';

/** What payment_keys.secret_fields stores per field: JSON-safe, base64 fields. */
export interface SecretBox {
	kid: string;
	iv: string;
	tag: string;
	data: string;
}

/**
 * Who a secret belongs to. It becomes the GCM associated data, so a box copied to another
 * merchant, another entry (scope) or another field fails to decrypt instead of being used.
 */
export interface SecretOwner {
	merchantId: bigint;
	/** The entry inside the merchant, e.g. 'WECHAT:1900009191'. */
	scope: string;
	field: string;
}

export interface Keyring {
	/** The kid new secrets are encrypted under. */
	current: string;
	keys: ReadonlyMap<string, Buffer>;
}

/** The key-encryption keys are misconfigured: an internal error (logged), never the person's fault. */
export class KeyringConfigError extends DomainError {
	constructor(message: string) {
		super('INTERNAL_SERVER_ERROR', 'error.internal', { message });
	}
}

/** Refused decryption: unknown kid, wrong owner, tampered bytes. Never carries the secret. Internal (logged). */
export class SecretDecryptError extends DomainError {
	constructor(
		readonly kid: string,
		reason: string
	) {
		super('INTERNAL_SERVER_ERROR', 'error.internal', { message: `cannot decrypt secret under kid '${kid}': ${reason}` });
	}
}

export const DEV_KID = 'dev';
// Deliberately public: it only exists so development and tests run without set-up.
const DEV_KEY = createHash('sha256').update('merchant-backoffice development KEK; not a secret').digest();
const KID_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;

let warnedDev = false;
let cached: { signature: string; ring: Keyring } | undefined;

/**
 * Reads KEK_CURRENT and KEKS ("k1:<base64 32 bytes>,k2:<…>"). Without them, outside
 * production, a fixed development key (kid 'dev') is used and a warning is logged once.
 * Outside production the dev key also stays readable under 'dev', so secrets saved before
 * real KEKs were configured can still be rotated onto them.
 */
export function loadKeyring(env: NodeJS.ProcessEnv = process.env): Keyring {
	const signature = `${env.NODE_ENV}|${env.KEK_CURRENT ?? ''}|${env.KEKS ?? ''}`;
	if (cached?.signature === signature) return cached.ring;
	const ring = parseKeyring(env);
	cached = { signature, ring };
	return ring;
}

function parseKeyring(env: NodeJS.ProcessEnv): Keyring {
	const production = env.NODE_ENV === 'production';
	const spec = env.KEKS?.trim();
	const currentKid = env.KEK_CURRENT?.trim();
	if (!spec && !currentKid) {
		if (production) throw new KeyringConfigError('KEK_CURRENT and KEKS must be set in production');
		if (!warnedDev) {
			warnedDev = true;
			logger.warn('[secrets] KEK_CURRENT/KEKS not set: using the public development key (kid "dev"); never do this in production');
		}
		return { current: DEV_KID, keys: new Map([[DEV_KID, DEV_KEY]]) };
	}
	if (!spec) throw new KeyringConfigError('KEK_CURRENT is set but KEKS is empty');
	if (!currentKid) throw new KeyringConfigError('KEKS is set but KEK_CURRENT is not');
	const keys = new Map<string, Buffer>();
	for (const part of spec.split(',')) {
		const entry = part.trim();
		if (!entry) continue;
		const colon = entry.indexOf(':');
		const kid = colon > 0 ? entry.slice(0, colon) : '';
		if (!KID_PATTERN.test(kid)) throw new KeyringConfigError(`KEKS: malformed entry (want kid:base64key)`);
		const key = Buffer.from(entry.slice(colon + 1), 'base64');
		if (key.length !== 32) throw new KeyringConfigError(`KEKS: key '${kid}' must be 32 bytes of base64, got ${key.length}`);
		if (keys.has(kid)) throw new KeyringConfigError(`KEKS: key '${kid}' is listed twice`);
		keys.set(kid, key);
	}
	if (!keys.has(currentKid)) throw new KeyringConfigError(`KEK_CURRENT '${currentKid}' is not in KEKS`);
	if (!production && !keys.has(DEV_KID)) keys.set(DEV_KID, DEV_KEY);
	return { current: currentKid, keys };
}

function associatedData(owner: SecretOwner): Buffer {
	return Buffer.from(`mb.secret.v1|m=${owner.merchantId}|s=${owner.scope}|f=${owner.field}`, 'utf8');
}

export function encryptSecret(plaintext: Buffer | string, owner: SecretOwner, ring: Keyring = loadKeyring()): SecretBox {
	const key = ring.keys.get(ring.current);
	if (!key) throw new KeyringConfigError(`current kid '${ring.current}' has no key`);
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(associatedData(owner));
	const data = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
	return { kid: ring.current, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export function decryptSecret(box: SecretBox, owner: SecretOwner, ring: Keyring = loadKeyring()): Buffer {
	if (!isSecretBox(box)) throw new SecretDecryptError(String((box as { kid?: unknown })?.kid), 'not a secret box');
	const key = ring.keys.get(box.kid);
	if (!key) throw new SecretDecryptError(box.kid, 'unknown key id');
	const iv = Buffer.from(box.iv, 'base64');
	const tag = Buffer.from(box.tag, 'base64');
	if (iv.length !== 12 || tag.length !== 16) throw new SecretDecryptError(box.kid, 'malformed iv or tag');
	try {
		const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
		decipher.setAAD(associatedData(owner));
		decipher.setAuthTag(tag);
		return Buffer.concat([decipher.update(Buffer.from(box.data, 'base64')), decipher.final()]);
	} catch {
		throw new SecretDecryptError(box.kid, 'authentication failed (wrong key, owner or tampered data)');
	}
}

export function isSecretBox(v: unknown): v is SecretBox {
	if (typeof v !== 'object' || v === null) return false;
	const b = v as Record<string, unknown>;
	return typeof b.kid === 'string' && typeof b.iv === 'string' && typeof b.tag === 'string' && typeof b.data === 'string';
}

/** Re-encrypts a box under the current KEK; a box already under it is returned as is. */
export function rewrapSecret(box: SecretBox, owner: SecretOwner, ring: Keyring = loadKeyring()): { box: SecretBox; changed: boolean } {
	if (box.kid === ring.current) return { box, changed: false };
	return { box: encryptSecret(decryptSecret(box, owner, ring), owner, ring), changed: true };
}

/**
 * HMAC key for fingerprints of short secrets (API key, md5Key, certificate password), so a
 * fingerprint cannot be brute-forced without the server's KEK. Derived from the current
 * KEK: rotating it changes these fingerprints (the rotation recomputes the stored ones).
 */
function fingerprintPepper(ring: Keyring = loadKeyring()): Buffer {
	const key = ring.keys.get(ring.current);
	if (!key) throw new KeyringConfigError(`current kid '${ring.current}' has no key`);
	return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'mb.fingerprint-pepper.v1', 32));
}

/** Full hex HMAC-SHA256 of a secret value under the pepper. */
export function secretFingerprint(value: Buffer | string, ring: Keyring = loadKeyring()): string {
	return createHmac('sha256', fingerprintPepper(ring)).update(value).digest('hex');
}

/** Full hex SHA-256 of public material (SPKI DER, certificate DER). */
export function publicFingerprint(der: Buffer): string {
	return createHash('sha256').update(der).digest('hex');
}
