// Spreadsheet cells as SQL, for exports and statements alike: Postgres formats every cell
// (元 from fen, Asia/Shanghai times, Chinese labels, formula neutralising, long ids kept as
// text) so COPY streams the file out at full speed. Only values we made ourselves are written
// into the SQL text; text people typed reaches COPY as bound settings (exports/copy.ts).
// Relative imports only: the jobs run this under plain Node.
import { BUSINESS_TZ } from '../time.ts';

/**
 * A text literal of our own (a label, a regex), as an E'' string: `\` and `'` are escaped, so
 * it means the same whatever the server's standard_conforming_strings says (a plain '…'
 * literal holding a backslash does not).
 */
export function sqlLiteral(text: string): string {
	return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * Does the cell start like a formula (= + - @ tab CR)? Tested on the first character's code
 * (ascii() gives the code point of a multibyte one, 0 for an empty text): no substring is made,
 * a few percent of a statement's or export's query.
 */
const formulaStart = (expr: string) => `ascii(${expr}) IN (61, 43, 45, 64, 9, 13)`;

/** A cell a spreadsheet would run as a formula (= + - @ tab CR) gets a leading apostrophe. */
export function neutralisedSql(expr: string): string {
	return `CASE WHEN ${formulaStart(expr)} THEN '''' || ${expr} ELSE ${expr} END`;
}

/**
 * Excel and WPS open an all-digit CSV cell as a number: from 12 digits it shows as
 * 1.23457E+15 in a default-width column, past 15 digits the rest become 0, and a leading 0
 * is dropped. So an identifier that is all digits and 12 or more of them (or starts with 0)
 * gets a leading backtick in CSV, as the wallets' bills do; XLSX cells are text already.
 * Tested without a regex: the length first, then ltrim (about a third of a regex's cost).
 */
function digitsKeptSql(expr: string): string {
	return `octet_length(${expr}) > 1 AND (octet_length(${expr}) >= 12 OR ascii(${expr}) = 48) AND ltrim(${expr}, '0123456789') = ''`;
}

/**
 * An identifier column's CSV cell (order numbers, 商户号, card and user numbers, flow ids):
 * long all-digit values get the backtick; `freeText` ones (typed by a merchant, a user or a
 * channel) are neutralised against formulas as well.
 */
export function csvIdentifierSql(expr: string, freeText: boolean): string {
	const formula = freeText ? `WHEN ${formulaStart(expr)} THEN '''' || ${expr} ` : '';
	return `CASE ${formula}WHEN ${digitsKeptSql(expr)} THEN '\`' || ${expr} ELSE ${expr} END`;
}

/** 1242 fen → '12.42' (exact: numeric, never float). */
export function yuanSql(expr: string): string {
	return `to_char((${expr})::numeric / 100, 'FM9999999999999990.00')`;
}

/**
 * An instant as Asia/Shanghai 'YYYY-MM-DD HH24:MI:SS' (or only the date): the timestamp cut to
 * the second (as to_char did) and cast to text, which is that form under DateStyle ISO — pinned
 * by the COPY transaction (exports/copy.ts) that runs every query using this; ~8 % of a
 * statement's row query less than to_char, which reads its format string on every call.
 */
export function shanghaiTimeSql(expr: string, format: 'datetime' | 'date' = 'datetime'): string {
	const local = `(${expr}) AT TIME ZONE ${sqlLiteral(BUSINESS_TZ)}`;
	return format === 'date' ? `(${local})::date::text` : `date_trunc('second', ${local})::text`;
}

/** A date as 'YYYY-MM-DD' (DateStyle ISO, as shanghaiTimeSql). */
export function isoDateSql(expr: string): string {
	return `(${expr})::date::text`;
}

/** A code as its label; a code without one is written as it is. */
export function labelledSql(expr: string, labels: Record<string, string>): string {
	const whens = Object.entries(labels).map(([k, v]) => `WHEN ${sqlLiteral(k)} THEN ${sqlLiteral(v)}`);
	return `CASE ${expr} ${whens.join(' ')} ELSE ${expr} END`;
}
