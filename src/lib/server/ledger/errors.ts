import { messages } from '#shared/i18n/messages.ts';
import { DomainError } from '../domain-error.ts';

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

const NOT_FOUND_KEYS: readonly LedgerErrorKey[] = ['ledger.orderNotFound', 'ledger.unknownMerchant', 'ledger.unknownUser'];

/**
 * A refused posting: an unknown order, merchant or user is NOT_FOUND, a malformed posting
 * BAD_REQUEST, the rest CONFLICT (the state does not allow it). `message` is the catalogue
 * key, `detail` is for logs only.
 */
export class LedgerError extends DomainError {
	declare readonly key: LedgerErrorKey;
	readonly detail?: string;
	constructor(key: LedgerErrorKey, detail?: string) {
		super(NOT_FOUND_KEYS.includes(key) ? 'NOT_FOUND' : key === 'ledger.invalidPosting' ? 'BAD_REQUEST' : 'CONFLICT', key);
		this.detail = detail;
	}
}

/** The Chinese 摘要 written on fund flows, from the catalogue so it matches the UI. */
export function memoText(kind: string): string {
	const entry = (messages as Record<string, { zh: string; en: string }>)[`ledger.memo.${kind}`];
	return entry ? entry.zh : kind;
}

export { isUniqueViolation } from '../pg-errors.ts';
