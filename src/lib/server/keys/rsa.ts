// Reading RSA keys the way merchants paste them: PEM, or bare base64 DER (Alipay's console
// hands out bare base64), PKCS#1 or PKCS#8 private keys, SPKI or PKCS#1 public keys.
import { createPrivateKey, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { MAX_KEY_CHARS, type VerifyAlgorithm } from '../../schemas/keys.ts';
import { publicFingerprint } from '../crypto/secrets.ts';

export interface ParsedKey {
	key: KeyObject;
	bits: number;
	/** The public half as SPKI DER: what fingerprints are taken of. */
	spkiDer: Buffer;
	/** Normalized PEM: PKCS#8 for private keys, SPKI for public keys. */
	pem: string;
	fingerprint: string;
}

export type KeyParseFailure =
	/** Not a key at all. */
	| 'unreadable'
	/** A private key where a public key belongs, or the reverse. */
	| 'swapped'
	/** A passphrase-protected private key. */
	| 'encrypted'
	| 'notRsa';

export type KeyParse = { ok: true; parsed: ParsedKey } | { ok: false; reason: KeyParseFailure };

const BARE_BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

function isPem(text: string): boolean {
	return text.includes('-----BEGIN ');
}

function derOf(text: string): Buffer | null {
	if (!BARE_BASE64.test(text)) return null;
	const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
	return der.length > 0 ? der : null;
}

function tryPrivate(text: string): KeyObject | 'encrypted' | null {
	try {
		if (isPem(text)) return createPrivateKey({ key: text, format: 'pem' });
	} catch (e) {
		if (isPassphraseError(e)) return 'encrypted';
		return null;
	}
	const der = derOf(text);
	if (!der) return null;
	for (const type of ['pkcs8', 'pkcs1'] as const) {
		try {
			return createPrivateKey({ key: der, format: 'der', type });
		} catch {
			// try the next encoding
		}
	}
	return null;
}

function tryPublic(text: string): KeyObject | null {
	try {
		if (isPem(text)) return createPublicKey({ key: text, format: 'pem' });
	} catch {
		return null;
	}
	const der = derOf(text);
	if (!der) return null;
	for (const type of ['spki', 'pkcs1'] as const) {
		try {
			return createPublicKey({ key: der, format: 'der', type });
		} catch {
			// try the next encoding
		}
	}
	return null;
}

function isPassphraseError(e: unknown): boolean {
	const code = (e as { code?: string })?.code ?? '';
	const message = (e as Error)?.message ?? '';
	return code === 'ERR_MISSING_PASSPHRASE' || /passphrase|ENCRYPTED/i.test(message) || /ENCRYPTED/.test(String(e));
}

function describe(key: KeyObject, publicKey: KeyObject): KeyParse {
	if (key.asymmetricKeyType !== 'rsa') return { ok: false, reason: 'notRsa' };
	const spkiDer = publicKey.export({ format: 'der', type: 'spki' });
	const pem = (key.type === 'private' ? key.export({ format: 'pem', type: 'pkcs8' }) : key.export({ format: 'pem', type: 'spki' })) as string;
	return {
		ok: true,
		parsed: { key, bits: key.asymmetricKeyDetails?.modulusLength ?? 0, spkiDer, pem, fingerprint: publicFingerprint(spkiDer) }
	};
}

/** A private key field: a public key pasted here is reported as swapped. */
export function parsePrivateKey(input: string): KeyParse {
	const text = input.trim();
	if (!text || text.length > MAX_KEY_CHARS) return { ok: false, reason: 'unreadable' };
	const key = tryPrivate(text);
	if (key === 'encrypted' || (key === null && /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(text)))
		return { ok: false, reason: 'encrypted' };
	if (key) return describe(key, createPublicKey(key));
	if (tryPublic(text)) return { ok: false, reason: 'swapped' };
	return { ok: false, reason: 'unreadable' };
}

/**
 * A public key field. Checked for a private key first: node derives a public key from a
 * private one without complaint, which would hide the mistake (and keep a private key).
 */
export function parsePublicKey(input: string): KeyParse {
	const text = input.trim();
	if (!text || text.length > MAX_KEY_CHARS) return { ok: false, reason: 'unreadable' };
	const priv = tryPrivate(text);
	if (priv !== null || /PRIVATE KEY-----/.test(text)) return { ok: false, reason: 'swapped' };
	const key = tryPublic(text);
	if (!key) return { ok: false, reason: 'unreadable' };
	return describe(key, key);
}

const NODE_ALGORITHM: Record<VerifyAlgorithm, string> = { MD5withRSA: 'RSA-MD5', SHA256withRSA: 'RSA-SHA256' };

/** PKCS#1 v1.5 signature check over the body's UTF-8 bytes; false on any malformed input. */
export function verifyRsaSignature(publicKey: KeyObject | string, body: string, signature: Buffer, algorithm: VerifyAlgorithm): boolean {
	try {
		const verifier = createVerify(NODE_ALGORITHM[algorithm]);
		verifier.update(body, 'utf8');
		return verifier.verify(publicKey, signature);
	} catch {
		return false;
	}
}
