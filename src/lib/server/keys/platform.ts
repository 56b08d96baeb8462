// 连连账户+ (the platform): the merchant's public key, the platform's own public key for
// 连连公钥下载, and the 签名验证 tool.
// The bundled demo key is imported through Vite (`?raw`), so this module runs under Vite
// (dev, build, vitest) but not under plain tsx; scripts must not import it.
import { createPublicKey } from 'node:crypto';
import { PLATFORM_KEY_BITS, VERIFY_ALGORITHMS, type KeyIssue, type VerifyAlgorithm, type VerifyResult } from '#shared/schemas/keys.ts';
import { publicFingerprint } from '../crypto/secrets.ts';
import demoPlatformPublicKey from './platform-demo-public.pem?raw';
import { parsePool } from './parse-pool.ts';
import { commonKeyIssue, parsePublicKey, type ParsedKey } from './rsa.ts';
import { decodeBase64, refused, type Validated } from './validation.ts';

/** 商户公钥: an RSA public key of 1024 or 2048 bits. A private key is refused loudly and never kept. */
export async function validateMerchantPublicKey(text: string): Promise<Validated<ParsedKey>> {
	if (!text.trim()) return refused([{ field: 'publicKey', key: 'keys.platform.publicKeyRequired' }]);
	const r = await parsePublicKey(text);
	if (!r.ok) {
		const key: KeyIssue['key'] =
			r.reason === 'swapped' || r.reason === 'encrypted'
				? 'keys.platform.privateKeyUploaded'
				: r.reason === 'notRsa'
					? 'keys.publicKey.notRsa'
					: 'keys.publicKey.unreadable';
		return refused([commonKeyIssue('publicKey', r) ?? { field: 'publicKey', key }]);
	}
	if (!(PLATFORM_KEY_BITS as readonly number[]).includes(r.parsed.bits))
		return refused([{ field: 'publicKey', key: 'keys.platform.publicKeySize', params: { bits: r.parsed.bits } }]);
	return { ok: true, value: r.parsed };
}

/**
 * A 商户公钥 as saved: SPKI PEM that validateMerchantPublicKey accepted (1024 or 2048 bits),
 * so reading it back on this thread is cheap and safe. Not for anything a person just sent.
 */
export function savedPublicKey(pem: string): { bits: number; fingerprint: string } | null {
	try {
		const key = createPublicKey(pem);
		return { bits: key.asymmetricKeyDetails?.modulusLength ?? 0, fingerprint: publicFingerprint(key.export({ format: 'der', type: 'spki' })) };
	} catch {
		return null;
	}
}

export interface PlatformPublicKey {
	pem: string;
	fingerprint: string;
}

let cachedPlatformKey: { source: string; key: PlatformPublicKey } | undefined;

/**
 * The platform's public key: PLATFORM_PUBLIC_KEY_PEM when set, else the bundled demo key
 * (its private half was never kept; it only makes 连连公钥下载 work out of the box).
 */
export function platformPublicKey(env: NodeJS.ProcessEnv = process.env): PlatformPublicKey {
	const source = env.PLATFORM_PUBLIC_KEY_PEM?.trim() || demoPlatformPublicKey;
	if (cachedPlatformKey?.source === source) return cachedPlatformKey.key;
	// Also accepts the PEM with literal "\n" escapes, as env files often carry it.
	const key = createPublicKey(source.includes('\\n') ? source.replaceAll('\\n', '\n') : source);
	const spki = key.export({ format: 'der', type: 'spki' });
	const parsed = { pem: key.export({ format: 'pem', type: 'spki' }) as string, fingerprint: publicFingerprint(spki) };
	cachedPlatformKey = { source, key: parsed };
	return parsed;
}

/**
 * 签名验证: does `signature` (base64) over `body` verify under `publicKeyPem`? 'auto' tries
 * MD5withRSA (what the platform uses) and then SHA256withRSA, and says which matched. The
 * check runs in the parse worker (the body is up to 1 MB of the person's text).
 */
export async function verifyWithPublicKey(
	publicKeyPem: string,
	body: string,
	signatureBase64: string,
	algorithm: VerifyAlgorithm | 'auto' = 'auto'
): Promise<Validated<VerifyResult>> {
	const signature = decodeBase64(signatureBase64.trim());
	if (!signature || signature.length === 0) return refused([{ field: 'signature', key: 'keys.verify.signatureMalformed' }]);
	const candidates: readonly VerifyAlgorithm[] = algorithm === 'auto' ? VERIFY_ALGORITHMS : [algorithm];
	const r = await parsePool.run('verify', publicKeyPem, body, signature, candidates);
	if (!r.ok) return refused([{ field: 'signature', key: r.refusal }]);
	return { ok: true, value: { valid: r.value !== null, algorithm: r.value } };
}
