// What every validator returns: the normalized value, or the list of refusals to show.
import type { KeyIssue } from '#shared/schemas/keys.ts';

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: KeyIssue[] };

export function refused<T>(issues: KeyIssue[]): Validated<T> {
	return { ok: false, issues };
}

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 (whitespace and data: URL prefix tolerated) to bytes; null when it is not base64. */
export function decodeBase64(text: string): Buffer | null {
	const bare = text.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
	if (!bare || bare.length % 4 === 1 || !STRICT_BASE64.test(bare)) return null;
	return Buffer.from(bare, 'base64');
}
