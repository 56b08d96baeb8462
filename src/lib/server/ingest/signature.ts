// HMAC-SHA256 request signing for the ingest API, shared by the server and the simulator
// (relative imports only: scripts run it under plain tsx).
//
// The signed string is four lines joined by "\n":
//
//   POST
//   /api/ingest/v1/payments
//   1767225600
//   {"merchant_no":"2018062800003003",…}
//
// the method in upper case, the path (no scheme, host or query string), the Unix timestamp in
// seconds sent as X-Signature-Timestamp, and the body exactly as sent. The signature is the hex
// HMAC-SHA256 of it under INGEST_HMAC_SECRET, sent as X-Signature. Covering the method and path
// means a body signed for /users cannot be replayed at /payments; covering the timestamp, and
// refusing one more than SIGNATURE_WINDOW_SECONDS away, means a captured request dies quickly.
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

/** The path a kind is posted to, and signed with. */
export function ingestPath(kind: string): string {
	return `/api/ingest/v1/${kind}`;
}

/** What a signature covers, besides the timestamp. */
export interface SignedRequest {
	method: string;
	/** e.g. /api/ingest/v1/payments: no host, no query string */
	path: string;
	body: string;
}

/** The exact string that is signed: method, path, timestamp and body on their own lines. */
export function canonicalString(req: SignedRequest, timestamp: number | string): string {
	return `${req.method.toUpperCase()}\n${req.path}\n${timestamp}\n${req.body}`;
}

/** Hex HMAC-SHA256 of the canonical string. */
export function sign(secret: string, req: SignedRequest, timestamp: number | string): string {
	return createHmac('sha256', secret).update(canonicalString(req, timestamp)).digest('hex');
}

/** The two headers a signed request carries. */
export function signatureHeaders(secret: string, req: SignedRequest, now: Date = new Date()): Record<string, string> {
	const ts = Math.floor(now.getTime() / 1000);
	return { 'X-Signature-Timestamp': String(ts), 'X-Signature': sign(secret, req, ts) };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'expired' | 'mismatch' };

/** Checks the timestamp window, then compares the signature in constant time. */
export function verifySignature(
	secret: string,
	req: SignedRequest,
	timestampHeader: string | null | undefined,
	signatureHeader: string | null | undefined,
	now: Date = new Date()
): SignatureCheck {
	if (!timestampHeader || !signatureHeader) return { ok: false, reason: 'missing' };
	if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'expired' };
	const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestampHeader));
	if (skew > SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'expired' };
	if (!/^[0-9a-fA-F]{64}$/.test(signatureHeader)) return { ok: false, reason: 'mismatch' };
	const expected = Buffer.from(sign(secret, req, timestampHeader), 'hex');
	const given = Buffer.from(signatureHeader, 'hex');
	return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
