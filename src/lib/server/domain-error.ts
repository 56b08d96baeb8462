// The one base of every error a feature raises on purpose: the kind of refusal (named as the
// tRPC code it is answered with) and the catalogue key the person reads, with its placeholders.
// Features know nothing of tRPC: api/init.ts maps a DomainError to its tRPC error, once, for
// every procedure. Relative imports only: the worker and scripts use this under plain Node too.
import type { MessageKey } from '../i18n/messages.ts';

/** The tRPC code a DomainError is answered with (4xx refusals; the two 5xx are left to the outage and internal paths). */
type DomainCode =
	| 'BAD_REQUEST'
	| 'FORBIDDEN'
	| 'NOT_FOUND'
	| 'CONFLICT'
	| 'PRECONDITION_FAILED'
	| 'TOO_MANY_REQUESTS'
	| 'SERVICE_UNAVAILABLE'
	| 'INTERNAL_SERVER_ERROR';

/** One refused form field: its name and the catalogue key (with placeholders) to show under it. */
export interface FieldIssue {
	field: string;
	key: MessageKey;
	params?: Record<string, string | number>;
}

interface DomainErrorOptions {
	params?: Record<string, string | number>;
	/** Every refused form field, for a form that shows each under its input. */
	issues?: readonly FieldIssue[];
	/** For logs only (default: the key). */
	message?: string;
	cause?: unknown;
}

export class DomainError extends Error {
	readonly params: Record<string, string | number>;
	readonly issues: readonly FieldIssue[] | null;
	constructor(
		readonly code: DomainCode,
		readonly key: MessageKey,
		{ params, issues, message, cause }: DomainErrorOptions = {}
	) {
		super(message ?? key, cause === undefined ? undefined : { cause });
		this.name = new.target.name;
		this.params = params ?? {};
		this.issues = issues ?? null;
	}

	/** A refusal the person can act on; the 5xx ones are answered by the outage and internal-error paths. */
	get isRefusal(): boolean {
		return this.code !== 'SERVICE_UNAVAILABLE' && this.code !== 'INTERNAL_SERVER_ERROR';
	}
}

/** Missing, or another merchant's (which must read exactly like missing). */
export class NotFound extends DomainError {
	constructor() {
		super('NOT_FOUND', 'error.notFound');
	}
}

/** A detail, or NOT_FOUND when it is missing or another merchant's. */
export function found<T>(row: T | null | undefined): T {
	if (row === null || row === undefined) throw new NotFound();
	return row;
}
