import type { KeyIssue } from '#shared/schemas/keys.ts';
import { DomainError } from '../domain-error.ts';

/**
 * Refused key input: BAD_REQUEST naming every field (`issues`, with placeholders), keyed by
 * the first issue; the parse workers full is TOO_MANY_REQUESTS (nothing is wrong with the input).
 */
export class KeyInputError extends DomainError {
	declare readonly issues: KeyIssue[];
	constructor(issues: KeyIssue[]) {
		const busy = issues.some((i) => i.key === 'keys.parseBusy');
		super(busy ? 'TOO_MANY_REQUESTS' : 'BAD_REQUEST', busy ? 'keys.parseBusy' : (issues[0]?.key ?? 'error.badInput'), {
			params: busy ? undefined : issues[0]?.params,
			issues
		});
	}
}

/** No such entry for this merchant (another merchant's id looks exactly like a missing one). */
export class KeyNotFoundError extends DomainError {
	constructor() {
		super('NOT_FOUND', 'error.notFound');
	}
}
