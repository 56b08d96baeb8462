// A spreadsheet's rows as SQL: Postgres writes each <row> of SpreadsheetML as one line of
// text, so COPY streams the sheet body out as fast as it streams CSV, and Node only zips it.
// Relative imports only: the jobs import this under plain Node.
import { sqlLiteral } from '../sql-cells.ts';

/** Excel's limit is 1,048,576 rows a sheet, one of them the header. */
export const SHEET_ROWS = 1_048_575;

/** Style ids of styles.xml (see writer.ts): 1 = amount 0.00, 2 = bold header. */
export const STYLE_AMOUNT = 1;
export const STYLE_HEADER = 2;

/**
 * How a column's SQL value becomes a cell:
 * - `amount`: decimal text such as '-12.30' → a numeric cell in 0.00 format;
 * - `text`: any text → an inline string, XML-escaped (free text, names, numbers people typed);
 * - `plain`: text known to hold no XML-special or control characters (labels, times, dates).
 */
export type XlsxCellKind = 'amount' | 'text' | 'plain';

/** A1-style column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(index: number): string {
	let n = index + 1;
	let out = '';
	while (n > 0) {
		const r = (n - 1) % 26;
		out = String.fromCharCode(65 + r) + out;
		n = Math.floor((n - 1) / 26);
	}
	return out;
}

// XML 1.0 forbids these even as character references, and Excel refuses a sheet holding one:
// C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF; they are dropped. (NUL and lone
// surrogates cannot be in Postgres text at all.) Regexes go in as E'' literals (sqlLiteral),
// which mean the same whatever standard_conforming_strings says.
const FORBIDDEN = sqlLiteral('[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]');
// What needs the slow path: XML specials, backslash (COPY's escape), control characters
// (tab, LF and CR included), U+FFFE/U+FFFF, and leading or trailing white space (kept by xml:space).
const SPECIAL = sqlLiteral('[&<>\\\\\\x01-\\x1f\\ufffe\\uffff]|^\\s|\\s$');

/**
 * The `<t>` element of an inline string holding the text expression. Most values need no
 * escaping and are written as they are; only those matching SPECIAL pay for the escapes (one
 * regex test per cell costs far less than always rewriting every string). Backslash, tab,
 * newline and CR become character references, so COPY's text format passes every line
 * through unchanged and a row stays one line.
 */
function xmlTextSql(expr: string): string {
	let e = `regexp_replace(${expr}, ${FORBIDDEN}, '', 'g')`;
	for (const [from, to] of [
		["'&'", '&amp;'],
		["'<'", '&lt;'],
		["'>'", '&gt;'],
		["E'\\\\'", '&#92;'],
		["E'\\n'", '&#10;'],
		["E'\\r'", '&#13;'],
		["E'\\t'", '&#9;']
	])
		e = `replace(${e}, ${from}, '${to}')`;
	return `CASE WHEN ${expr} ~ ${SPECIAL} THEN '<t xml:space="preserve">' || ${e} || '</t>' ELSE '<t>' || ${expr} || '</t>' END`;
}

function cellSql(column: string, kind: XlsxCellKind, letters: string): string {
	const ref = `'<c r="${letters}' || n`;
	// NULL || anything is NULL: an empty value leaves the cell out.
	if (kind === 'amount') return `coalesce(${ref} || '" s="${STYLE_AMOUNT}"><v>' || ${column} || '</v></c>', '')`;
	const t = kind === 'plain' ? `'<t>' || ${column} || '</t>'` : xmlTextSql(column);
	return `coalesce(${ref} || '" t="inlineStr"><is>' || ${t} || '</is></c>', '')`;
}

/**
 * One text column per row: `<row r="n">…</row>` over `select`'s rows in its order, row numbers
 * restarting at 2 after every `sheetRows` rows (the writer starts a new sheet there; row 1 is
 * the header). `columns` name the select's output columns, in sheet order.
 */
export function xlsxRowsSql(
	select: string,
	columns: readonly { name: string; kind: XlsxCellKind }[],
	sheetRows = SHEET_ROWS
): string {
	const cells = columns.map((c, i) => cellSql(`s.${c.name}`, c.kind, columnLetters(i))).join(' || ');
	// row_number() over () numbers the rows in the order the ordered subquery delivers them.
	return `SELECT '<row r="' || n || '">' || ${cells} || '</row>' FROM (SELECT s0.*, (row_number() OVER () - 1) % ${sheetRows} + 2 AS n FROM (${select}) s0) s`;
}
