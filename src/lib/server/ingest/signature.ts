// HMAC-SHA256 request signing for the ingest API, shared by the server and the simulator
// (relative imports only: scripts run it under plain tsx).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-signature-timestamp';
/** How far a request's clock may be from ours; a wider window lets captured requests replay longer. */
export const SIGNATURE_WINDOW_SECONDS = 300;

const DEV_SECRET = 'dev-ingest-secret';

/** The shared secret; the development default is refused in production. */
export function ingestSecret(env: NodeJS.ProcessEnv = process.env): string {
	const secret = env.INGEST_HMAC_SECRET;
	if (secret) return secret;
	if (env.NODE_ENV === 'production') throw new Error('INGEST_HMAC_SECRET must be set in production');
	return DEV_SECRET;
}

/** Hex HMAC-SHA256 over `${timestamp}.${rawBody}`. */
export function signBody(secret: string, timestamp: number | string, rawBody: string): string {
	return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

/** The two headers a signed request carries. */
export function signatureHeaders(secret: string, rawBody: string, now: Date = new Date()): Record<string, string> {
	const ts = Math.floor(now.getTime() / 1000);
	return { 'X-Signature-Timestamp': String(ts), 'X-Signature': signBody(secret, ts, rawBody) };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'expired' | 'mismatch' };

/** Checks the timestamp window, then compares the signature in constant time. */
export function verifySignature(
	secret: string,
	rawBody: string,
	timestampHeader: string | null | undefined,
	signatureHeader: string | null | undefined,
	now: Date = new Date()
): SignatureCheck {
	if (!timestampHeader || !signatureHeader) return { ok: false, reason: 'missing' };
	if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'expired' };
	const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestampHeader));
	if (skew > SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'expired' };
	if (!/^[0-9a-fA-F]{64}$/.test(signatureHeader)) return { ok: false, reason: 'mismatch' };
	const expected = Buffer.from(signBody(secret, timestampHeader, rawBody), 'hex');
	const given = Buffer.from(signatureHeader, 'hex');
	return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
