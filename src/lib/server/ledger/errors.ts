import { messages } from '../../i18n/messages.ts';

export type LedgerErrorKey =
	| 'ledger.insufficientFunds'
	| 'ledger.refundExceeds'
	| 'ledger.confirmExceeds'
	| 'ledger.conflict'
	| 'ledger.orderNotFound'
	| 'ledger.unknownMerchant'
	| 'ledger.unknownUser'
	| 'ledger.illegalTransition'
	| 'ledger.notRefundable'
	| 'ledger.notSecured'
	| 'ledger.invalidPosting';

/**
 * A refused posting. `message` is the catalogue key (what tRPC sends; its formatter
 * translates), `detail` is for logs only.
 */
export class LedgerError extends Error {
	readonly key: LedgerErrorKey;
	readonly detail?: string;
	constructor(key: LedgerErrorKey, detail?: string) {
		super(key);
		this.name = 'LedgerError';
		this.key = key;
		this.detail = detail;
	}
}

/** The Chinese 摘要 written on fund flows, from the catalogue so it matches the UI. */
export function memoText(kind: string): string {
	const entry = (messages as Record<string, { zh: string; en: string }>)[`ledger.memo.${kind}`];
	return entry ? entry.zh : kind;
}

/** Postgres unique_violation. */
export function isUniqueViolation(e: unknown): boolean {
	return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}
