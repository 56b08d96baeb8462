// What every input shares: text that is safe to store, query and export, and record ids that fit
// the database. Every string and every id a procedure accepts goes through these, so hostile
// input is refused at the schema with a catalogue message instead of failing in Postgres (500).
// Relative imports only: jobs and scripts parse the same schemas under plain tsx.
import { z } from 'zod';

/**
 * Characters no single-line input may carry:
 * - C0 controls (U+0000–U+001F): Postgres refuses NUL in a text parameter (a 500 before this),
 *   and XML — so every XLSX export and statement — has no way to write the others;
 * - U+FFFE and U+FFFF: not characters, illegal in XML;
 * - lone UTF-16 surrogates: not text at all (Postgres would store U+FFFD, and jsonb refuses
 *   their \u escape, which broke saving an export's filter).
 * With the `u` flag the class matches a surrogate only when it is unpaired; emoji and CJK
 * extension characters (pairs) pass.
 */
const SINGLE_LINE_BAD = /[\u0000-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;
/** The same, but tab, line feed and carriage return pass (multi-line text: pasted keys, bodies). */
const MULTI_LINE_BAD = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;

function hasBadCharacters(value: string, opts: { multiline?: boolean } = {}): boolean {
	return (opts.multiline ? MULTI_LINE_BAD : SINGLE_LINE_BAD).test(value);
}

/**
 * A string input: refuses the characters above with 'error.badCharacters', before any other
 * check (so a 10,000-character string of them is not also "too long"). `trim` drops surrounding
 * blanks first, so a pasted value's trailing newline is not a bad character. Chain the field's
 * own rules after it: `text({ trim: true }).max(64)`.
 */
export function text(opts: { trim?: boolean; multiline?: boolean } = {}) {
	const base = opts.trim ? z.string().trim() : z.string();
	return base.refine((v) => !hasBadCharacters(v, opts), { message: 'error.badCharacters', abort: true });
}

/** Postgres `bigint` (int8), the type of every record id. */
const MAX_ID = 2n ** 63n - 1n;

/**
 * A record id as the browser sends it (superjson carries bigint). Zero, negative and beyond-int8
 * values name no record: refused here ('error.badId'), where Postgres would fail the query.
 */
export const idSchema = z.bigint('error.badId').min(1n, 'error.badId').max(MAX_ID, 'error.badId');

/**
 * An id in an export's copy of a list filter: text, because the export keeps its filter as JSON.
 * Text that is no id (beyond int8 included) filters nothing, as the list page reads its URL.
 */
export const idTextSchema = z
	.union([text(), z.bigint()])
	.optional()
	.transform((v) => {
		const id = idParam(v === undefined ? '' : String(v));
		return id === undefined ? undefined : String(id);
	});

/** An id from a URL or a form field, or undefined when the text is no id (beyond int8 included). */
export function idParam(text: string): bigint | undefined {
	return /^[1-9]\d{0,18}$/.test(text) && BigInt(text) <= MAX_ID ? BigInt(text) : undefined;
}
