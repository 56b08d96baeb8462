// Which payment_keys fields are secret, and how each one's fingerprint is taken.
// Shared by the store and the KEK rotation (relative imports only: tsx runs the rotation).
import type { KeyProvider } from '#shared/schemas/keys.ts';
import type { SecretOwner } from '../crypto/secrets.ts';

/** secret_fields names per provider, in the order the UI lists them. */
export const SECRET_FIELDS: Record<KeyProvider, readonly string[]> = {
	WECHAT: ['apiKey', 'certP12', 'certPassword'],
	ALIPAY: ['privateKey', 'md5Key']
};

/**
 * Short symmetric secrets whose fingerprint is an HMAC under the KEK-derived pepper (a plain
 * hash of a 32-character key or a 10-digit password could be brute-forced). The others are
 * fingerprinted by their public part: the SPKI of a private key, the DER of a certificate.
 */
export const PEPPERED_FIELDS: ReadonlySet<string> = new Set(['apiKey', 'certPassword', 'md5Key']);

/** The GCM associated data of a payment_keys secret: merchant, entry and field. */
export function paymentKeyOwner(merchantId: bigint, provider: KeyProvider, externalId: string, field: string): SecretOwner {
	return { merchantId, scope: `${provider}:${externalId}`, field };
}
