import type { MessageKey } from '../../i18n/messages.ts';

/** A refused ingest request that is not a ledger refusal: unknown merchant, user, card… */
export class IngestError extends Error {
	readonly status: number;
	readonly code: string;
	readonly key: MessageKey;
	readonly params?: Record<string, string>;
	constructor(status: number, code: string, key: MessageKey, params?: Record<string, string>) {
		super(key);
		this.name = 'IngestError';
		this.status = status;
		this.code = code;
		this.key = key;
		this.params = params;
	}
}
