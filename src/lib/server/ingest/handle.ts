// One ingest request from the payment core: signature → JSON → integer numbers → schema →
// merchant → ledger.
// Free of SvelteKit so tests call it directly and the route stays a thin adapter.
import type { Kysely } from 'kysely';
import { ZodError } from 'zod';
import type { DB } from '#db/types.ts';
import { translate, type MessageKey } from '#shared/i18n/messages.ts';
import { INGEST_SCHEMAS, isIngestKind, type IngestInput } from '#shared/schemas/ingest.ts';
import { LedgerError, type LedgerErrorKey } from '../ledger/index.ts';
import { activeLog } from '../log.ts';
import { isOutage } from '../outage.ts';
import { HashingBusyError } from '../auth/password.ts';
import { IngestError } from './errors.ts';
import { openMerchant } from './merchants.ts';
import { PROCESSORS } from './processors.ts';
import { firstInexactNumber } from './numbers.ts';
import { ingestPath, ingestSecret, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature.ts';

export type IngestResponse =
	| { status: 200; body: { ok: true; created: boolean; id: string } }
	| { status: 400 | 401 | 404 | 409 | 429 | 500 | 503; body: { ok: false; code: string; message: string } };

/** A refusal the payment core can act on: HTTP status + a stable code + a Chinese message. */
const LEDGER_ERRORS: Record<LedgerErrorKey, { status: 400 | 404 | 409; code: string }> = {
	'ledger.insufficientFunds': { status: 409, code: 'INSUFFICIENT_FUNDS' },
	'ledger.refundExceeds': { status: 409, code: 'REFUND_EXCEEDS_PAYMENT' },
	'ledger.confirmExceeds': { status: 409, code: 'CONFIRM_EXCEEDS_PAYMENT' },
	'ledger.conflict': { status: 409, code: 'TXN_NO_CONFLICT' },
	'ledger.illegalTransition': { status: 409, code: 'ILLEGAL_STATUS_TRANSITION' },
	'ledger.notRefundable': { status: 409, code: 'NOT_REFUNDABLE' },
	'ledger.notSecured': { status: 409, code: 'NOT_SECURED_PAYMENT' },
	'ledger.orderNotFound': { status: 404, code: 'ORDER_NOT_FOUND' },
	'ledger.unknownMerchant': { status: 404, code: 'MERCHANT_NOT_FOUND' },
	'ledger.unknownUser': { status: 404, code: 'USER_NOT_FOUND' },
	'ledger.invalidPosting': { status: 400, code: 'INVALID_POSTING' }
};

function refuse(status: 400 | 401 | 404 | 409 | 429 | 500 | 503, code: string, key: MessageKey | string, params?: Record<string, string>): IngestResponse {
	return { status, body: { ok: false, code, message: translate('zh-CN', key, params) } };
}

function fromZod(e: ZodError): IngestResponse {
	const issue = e.issues[0];
	const field = issue?.path.join('.') || 'body';
	const key = issue && issue.message.startsWith('ingest.') ? issue.message : 'ingest.badInput';
	return refuse(400, 'BAD_INPUT', key, { field });
}

export interface IngestHeaders {
	get(name: string): string | null;
}

/** One request as it arrived: the body is the raw text the signature was computed over. */
export interface IngestRequest {
	method: string;
	kind: string;
	body: string;
	headers: IngestHeaders;
}

/** A JSON key named back to the caller only if it looks like one of ours. */
function fieldName(key: string | null): string {
	return key !== null && /^[a-z_]{1,40}$/.test(key) ? key : 'body';
}

export async function handleIngest(db: Kysely<DB>, req: IngestRequest, now: Date = new Date()): Promise<IngestResponse> {
	const { kind, body: rawBody } = req;
	if (!isIngestKind(kind)) return refuse(404, 'UNKNOWN_KIND', 'ingest.unknownKind');

	// Authenticate before reading anything else, so an unsigned caller learns nothing. The path
	// signed is the kind's own, so a body signed for one endpoint fails at every other.
	const check = verifySignature(
		ingestSecret(),
		{ method: req.method, path: ingestPath(kind), body: rawBody },
		req.headers.get(TIMESTAMP_HEADER),
		req.headers.get(SIGNATURE_HEADER),
		now
	);
	if (!check.ok) {
		const key = check.reason === 'missing' ? 'ingest.missingSignature' : check.reason === 'expired' ? 'ingest.expiredSignature' : 'ingest.badSignature';
		return refuse(401, `SIGNATURE_${check.reason.toUpperCase()}`, key);
	}

	let json: unknown;
	try {
		json = JSON.parse(rawBody);
	} catch {
		return refuse(400, 'BAD_JSON', 'ingest.badJson');
	}
	// Every number in these bodies is an amount in fen: `100.00` or `1e2` is not one, whatever
	// JSON.parse made of it, and neither is an integer too large to survive as a JSON number.
	const inexact = firstInexactNumber(rawBody);
	if (inexact) return refuse(400, 'BAD_INPUT', 'ingest.amountNotInteger', { field: fieldName(inexact.key) });
	const parsed = INGEST_SCHEMAS[kind].safeParse(json);
	if (!parsed.success) return fromZod(parsed.error);

	try {
		// Opening a merchant is the one kind whose merchant need not exist yet.
		if (kind === 'merchants') {
			const r = await openMerchant(db, parsed.data as IngestInput<'merchants'>, now);
			return { status: 200, body: { ok: true, created: r.created, id: String(r.id) } };
		}
		const merchant = await db
			.selectFrom('merchants')
			.select('id')
			.where('merchant_no', '=', parsed.data.merchant_no)
			.executeTakeFirst();
		if (!merchant) return refuse(404, 'MERCHANT_NOT_FOUND', 'ledger.unknownMerchant');
		// The schema picked by `kind` produced `parsed.data`, so the processor of the same kind fits it.
		const processor = PROCESSORS[kind] as (db: Kysely<DB>, merchantId: bigint, input: unknown, now: Date) => Promise<{ created: boolean; id: bigint | string }>;
		const r = await processor(db, merchant.id, parsed.data, now);
		return { status: 200, body: { ok: true, created: r.created, id: String(r.id) } };
	} catch (e) {
		if (e instanceof LedgerError) {
			const m = LEDGER_ERRORS[e.key] ?? { status: 409 as const, code: 'LEDGER_REFUSED' };
			return refuse(m.status, m.code, e.key);
		}
		if (e instanceof IngestError) return refuse(e.status, e.apiCode, e.key, e.params as Record<string, string>);
		if (e instanceof ZodError) return fromZod(e);
		// A moment's overload or a dependency away is for the payment core to retry, not an error
		// in its request (the route adds Retry-After).
		if (e instanceof HashingBusyError) return refuse(429, 'BUSY', e.key);
		if (isOutage(e)) {
			activeLog().warn({ err: e, kind }, `ingest ${kind} unavailable`);
			return refuse(503, 'UNAVAILABLE', 'error.unavailable');
		}
		activeLog().error({ err: e, kind }, `ingest ${kind} failed`);
		return refuse(500, 'INTERNAL', 'error.internal');
	}
}
