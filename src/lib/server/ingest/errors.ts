import type { MessageKey } from '#shared/i18n/messages.ts';
import { DomainError } from '../domain-error.ts';

const CODES = { 400: 'BAD_REQUEST', 404: 'NOT_FOUND', 409: 'CONFLICT' } as const;

/**
 * A refused ingest request that is not a ledger refusal: unknown merchant, user, card…; with
 * the HTTP status and the stable code the payment core is answered with.
 */
export class IngestError extends DomainError {
	constructor(
		readonly status: 400 | 404 | 409,
		readonly apiCode: string,
		key: MessageKey,
		params?: Record<string, string>
	) {
		super(CODES[status], key, { params });
	}
}
