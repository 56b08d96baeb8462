import { resolveRange, type TimeRange } from '../../schemas/lists.ts';

/** A filter the engine refuses; `key` is a message-catalogue key (the routers turn it into BAD_REQUEST). */
export class ListFilterError extends Error {
	constructor(readonly key: 'lists.rangeTooLong' | 'lists.rangeInverted') {
		super(key);
	}
}

/** resolveRange, throwing on a refused range. */
export function rangeOrThrow(from: string, to: string, opts: { defaultDays?: number; maxDays?: number; now?: Date }): TimeRange | null {
	const r = resolveRange(from, to, opts);
	if (!r.ok) throw new ListFilterError(r.key);
	return r.range;
}
