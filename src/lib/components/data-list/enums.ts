// Enumerations as the person reads them: API values → catalogue labels (DESIGN.md's table).
import { isMessageKey, type MessageKey } from '$lib/i18n/messages';
import type { EnumOption } from './types';

/** Each enumeration's message-key prefix in the catalogue. */
export const ENUM_PREFIX = {
	paymentTxnType: 'enum.txnType.',
	flowTxnType: 'enum.txnType.',
	withdrawalTxnType: 'enum.txnType.',
	paymentStatus: 'enum.paymentStatus.',
	refundStatus: 'enum.refundStatus.',
	withdrawalStatus: 'enum.withdrawalStatus.',
	accountType: 'enum.accountType.',
	subType: 'enum.subType.',
	direction: 'enum.direction.',
	userType: 'enum.userType.',
	userStatus: 'enum.userStatus.',
	idType: 'enum.idType.',
	partyType: 'enum.partyType.',
	orderKind: 'enum.orderKind.',
	postingMode: 'enum.postingMode.',
	cardType: 'enum.cardType.',
	cardStatus: 'enum.cardStatus.',
	payMethod: 'enum.payMethod.'
} as const;
export type EnumGroup = keyof typeof ENUM_PREFIX;

/** The label of an enum value; a value the catalogue does not know is shown as is. */
export function enumLabel(t: (key: MessageKey) => string, group: EnumGroup, value: string | null | undefined): string {
	if (value == null || value === '') return '';
	const key = `${ENUM_PREFIX[group]}${value}`;
	return isMessageKey(key) ? t(key) : value;
}

/** Filter options for an enumeration, in the order the API lists its values. */
export function optionsOf(group: EnumGroup, values: readonly string[]): EnumOption[] {
	return values.map((value) => ({ value, label: `${ENUM_PREFIX[group]}${value}` as MessageKey }));
}

/** The badge colour of an order status: done green, waiting amber, failed red, closed grey. */
export function statusTone(status: string): 'success' | 'warning' | 'destructive' | 'secondary' {
	switch (status) {
		case 'TRADE_SUCCESS':
			return 'success';
		case 'TRADE_WAIT_PAY':
		case 'TRADE_PROCESSING':
		case 'TRADE_CHECKING':
		case 'TRADE_PREPAID':
			return 'warning';
		case 'TRADE_FAILURE':
		case 'TRADE_CANCEL':
			return 'destructive';
		default:
			return 'secondary';
	}
}
