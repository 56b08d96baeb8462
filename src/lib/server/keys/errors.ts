import type { KeyIssue } from '../../schemas/keys.ts';

/**
 * Refused key input. `message` is the first issue's catalogue key (what a tRPC error
 * carries); `issues` holds every refusal with its form field and placeholders.
 */
export class KeyInputError extends Error {
	readonly issues: KeyIssue[];
	constructor(issues: KeyIssue[]) {
		super(issues[0]?.key ?? 'error.badInput');
		this.name = 'KeyInputError';
		this.issues = issues;
	}
	get key(): KeyIssue['key'] {
		return this.issues[0]?.key ?? 'error.badInput';
	}
	get params(): KeyIssue['params'] {
		return this.issues[0]?.params;
	}
}

/** No such entry for this merchant (another merchant's id looks exactly like a missing one). */
export class KeyNotFoundError extends Error {
	readonly key = 'error.notFound' as const;
	constructor() {
		super('error.notFound');
		this.name = 'KeyNotFoundError';
	}
}
