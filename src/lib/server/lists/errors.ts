import { resolveRange, type TimeRange } from '#shared/schemas/lists.ts';
import { DomainError } from '../domain-error.ts';

/** A filter the engine refuses (BAD_REQUEST with its catalogue key). */
export class ListFilterError extends DomainError {
	constructor(key: 'lists.rangeTooLong' | 'lists.rangeInverted' | 'audit.rangeInverted' | 'audit.badTime') {
		super('BAD_REQUEST', key);
	}
}

/**
 * A filter naming a record (a role, a person) that is not the merchant's. It reads like a
 * missing record (NOT_FOUND), never like an empty list, so ids of other merchants tell nothing.
 */
export class ListRefNotFound extends DomainError {
	constructor() {
		super('NOT_FOUND', 'error.notFound');
	}
}

/** resolveRange, throwing on a refused range. */
export function rangeOrThrow(from: string, to: string, opts: { defaultDays?: number; maxDays?: number; now?: Date }): TimeRange | null {
	const r = resolveRange(from, to, opts);
	if (!r.ok) throw new ListFilterError(r.key);
	return r.range;
}
