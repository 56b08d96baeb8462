// The statement API for machines (GET /api/v1/statements/{date}?format=csv|xlsx): a merchant's
// reconciliation system fetches a READY statement without a session, as WeChat's downloadbill
// and Alipay's bill URL let it. The request is signed with the merchant's RSA private key; the
// platform verifies it with the 商户公钥 already saved in 参数管理 → 连连账户+ (platform_keys),
// so no new secret exists. README "Statement API" shows the signing.
//
//   X-Merchant-No:  the 16-digit merchant number
//   X-Timestamp:    Unix seconds, within ±5 minutes of the server's clock
//   X-Nonce:        16–64 characters [A-Za-z0-9_-], never used twice
//   X-Signature:    base64 SHA256withRSA over "GET\n<path>?<query>\n<timestamp>\n<nonce>"
//
// Every call that names a known merchant is audited (statements.api), refused ones too.
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import type { Db } from '#db';
import { statementRequestInput } from '#shared/schemas/statements.ts';
import { writeAudit } from '../audit.ts';
import { findFile, type FileInfo } from '../files/index.ts';

export const SIGNATURE_WINDOW_S = 300;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const MERCHANT_NO = /^\d{16}$/;

/** The text a caller signs: method, path with its query, timestamp and nonce, one per line. */
export function statementApiSigningText(method: string, pathAndQuery: string, timestamp: string, nonce: string): string {
	return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonce}`;
}

export type StatementApiResult =
	| { ok: true; file: FileInfo }
	| { ok: false; status: 400 | 401 | 404 | 409; code: string; message: string };

export interface StatementApiRequest {
	method: string;
	/** The path and query as sent (`/api/v1/statements/2026-12-04?format=csv`). */
	pathAndQuery: string;
	date: string;
	format: string | null;
	headers: { get(name: string): string | null };
	ip: string | null;
	userAgent: string | null;
}

function refuse(status: 400 | 401 | 404 | 409, code: string, message: string): StatementApiResult {
	return { ok: false, status, code, message };
}

/**
 * Request text as the audit log (jsonb) can hold it, cut to `max` characters: jsonb refuses NUL
 * and lone surrogates, and either in a hostile date or format made the audit insert fail (a 500).
 */
function auditable(s: string, max: number): string {
	return s.slice(0, max).toWellFormed().replace(/\u0000/g, '\uFFFD');
}

const keys = new Map<string, KeyObject>();
function publicKey(pem: string): KeyObject | null {
	let k = keys.get(pem);
	if (!k) {
		try {
			k = createPublicKey(pem);
		} catch {
			return null;
		}
		if (keys.size > 1000) keys.clear();
		keys.set(pem, k);
	}
	return k;
}

/** Authenticates, checks the nonce, and finds the READY file; audits the outcome. */
export async function handleStatementApi(db: Db, req: StatementApiRequest, now: Date = new Date()): Promise<StatementApiResult> {
	const merchantNo = req.headers.get('x-merchant-no') ?? '';
	const timestamp = req.headers.get('x-timestamp') ?? '';
	const nonce = req.headers.get('x-nonce') ?? '';
	const signature = req.headers.get('x-signature') ?? '';
	if (!MERCHANT_NO.test(merchantNo) || !/^\d{1,12}$/.test(timestamp) || !NONCE.test(nonce) || !signature)
		return refuse(401, 'UNSIGNED', 'X-Merchant-No, X-Timestamp, X-Nonce and X-Signature are required');
	const merchant = await db
		.selectFrom('merchants')
		.leftJoin('platform_keys', 'platform_keys.merchant_id', 'merchants.id')
		.select(['merchants.id', 'platform_keys.merchant_public_key'])
		.where('merchants.merchant_no', '=', merchantNo)
		.executeTakeFirst();
	// An unknown merchant and one without a saved key are refused alike: the caller learns nothing.
	if (!merchant) return refuse(401, 'BAD_SIGNATURE', 'signature does not verify');
	const audit = (outcome: string, extra: Record<string, unknown> = {}) =>
		writeAudit(db, {
			merchantId: merchant.id,
			staffId: null,
			actorName: 'API',
			action: 'statements.api',
			targetType: 'statement',
			targetId: null,
			detail: { accountingDate: auditable(req.date, 10), format: auditable(req.format ?? 'csv', 8), outcome, ...extra },
			ip: req.ip,
			userAgent: req.userAgent
		});
	const key = merchant.merchant_public_key ? publicKey(merchant.merchant_public_key) : null;
	let valid = false;
	if (key) {
		try {
			valid = createVerify('RSA-SHA256')
				.update(statementApiSigningText(req.method, req.pathAndQuery, timestamp, nonce))
				.verify(key, Buffer.from(signature, 'base64'));
		} catch {
			valid = false;
		}
	}
	if (!valid) {
		await audit('badSignature');
		return refuse(401, 'BAD_SIGNATURE', 'signature does not verify');
	}
	if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_S) {
		await audit('staleTimestamp');
		return refuse(401, 'STALE_TIMESTAMP', `X-Timestamp must be within ${SIGNATURE_WINDOW_S} s of the server's clock`);
	}
	// A nonce is kept until its request could no longer be accepted anyway (then upkeep prunes it).
	const fresh = await db
		.insertInto('statement_api_nonces')
		.values({ merchant_id: merchant.id, nonce, expires_at: new Date(Number(timestamp) * 1000 + (SIGNATURE_WINDOW_S + 60) * 1000) })
		.onConflict((oc) => oc.columns(['merchant_id', 'nonce']).doNothing())
		.returning('nonce')
		.executeTakeFirst();
	if (!fresh) {
		await audit('replayedNonce');
		return refuse(409, 'NONCE_REUSED', 'this X-Nonce was used already');
	}
	const format = req.format ?? 'csv';
	if (format !== 'csv' && format !== 'xlsx' || !statementRequestInput.safeParse({ date: req.date }).success) {
		await audit('badRequest');
		return refuse(400, 'BAD_REQUEST', 'the date must be YYYY-MM-DD and format csv or xlsx');
	}
	const s = await db
		.selectFrom('statements')
		.select(['id', 'status', 'csv_file_id', 'xlsx_file_id'])
		.where('merchant_id', '=', merchant.id)
		.where('accounting_date', '=', req.date)
		.executeTakeFirst();
	if (!s || s.status !== 'READY') {
		const reason = !s ? 'NOT_BUILT' : s.status === 'FAILED' ? 'FAILED' : 'BUILDING';
		await audit('notReady', { reason });
		return refuse(404, `STATEMENT_${reason}`, !s ? 'no statement for this day (not yet built, or outside the window)' : s.status === 'FAILED' ? 'the build of this day failed; it is retried' : 'the statement of this day is being built; try again shortly');
	}
	const file = await findFile(db, merchant.id, format === 'csv' ? s.csv_file_id! : s.xlsx_file_id!);
	if (!file) {
		await audit('notReady', { reason: 'NO_FILE' });
		return refuse(404, 'STATEMENT_NOT_BUILT', 'no statement file for this day');
	}
	await audit('served', { fileId: file.id.toString(), range: req.headers.get('range') ?? undefined });
	return { ok: true, file };
}
