// A request a feature turns down on purpose: the catalogue key the person reads, and the kind
// of refusal (which the API answers as the tRPC code of the same name). Features know nothing
// of tRPC; api/refused.ts translates.
import type { MessageKey } from '#shared/i18n/messages.ts';

export type RefusalCode = 'BAD_REQUEST' | 'FORBIDDEN' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS';

export class Refused extends Error {
	constructor(
		readonly code: RefusalCode,
		readonly key: MessageKey,
		readonly params: Record<string, string | number> = {}
	) {
		super(key);
	}
}
