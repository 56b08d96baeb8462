// A request a feature turns down on purpose: the catalogue key the person reads, and the kind
// of refusal (which the API answers as the tRPC code of the same name). Features know nothing
// of tRPC; api/init.ts maps every DomainError once.
import type { MessageKey } from '#shared/i18n/messages.ts';
import { DomainError } from './domain-error.ts';

type RefusalCode = 'BAD_REQUEST' | 'FORBIDDEN' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS';

export class Refused extends DomainError {
	constructor(code: RefusalCode, key: MessageKey, params: Record<string, string | number> = {}) {
		super(code, key, { params });
	}
}
