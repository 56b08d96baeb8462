// A spreadsheet's rows as SQL: Postgres writes each <row> of SpreadsheetML as one line of
// text, so COPY streams the sheet body out nearly as fast as it streams CSV, and Node only
// numbers the rows and zips them. The row number is not computed in SQL: `row_number() OVER ()`
// spooled every row through a window (a third of the query's time on a million rows), and the
// `r="B12"` references of every cell another fifth. Node writes `<row r='12'><c r='A12` in front
// of each line; the other cells go without a reference (optional in SpreadsheetML: a cell without
// one is the next column), so an empty value is an empty cell that keeps the columns in place. It
// carries a style (STYLE_BLANK, the default look): readers such as exceljs take a cell with
// neither value nor style for part of a merged range and drop it, losing the column count.
// Attributes are quoted with ' so a row holds a " only where a value does: a statement reads
// each row as the first field of a CSV COPY (statements/writer.ts), which quotes a field
// holding a " (or a comma), and that stays the exception.
// Relative imports only: the jobs import this under plain Node.
import { sqlLiteral } from '../sql-cells.ts';

/** Excel's limit is 1,048,576 rows a sheet, one of them the header. */
export const SHEET_ROWS = 1_048_575;

/** Style ids of styles.xml (see writer.ts): 1 = amount 0.00, 2 = bold header, 3 = an empty cell (the default look). */
export const STYLE_AMOUNT = 1;
export const STYLE_HEADER = 2;
export const STYLE_BLANK = 3;

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
	return `CASE WHEN ${expr} ~ ${SPECIAL} THEN ${sqlLiteral("<t xml:space='preserve'>")} || ${e} || '</t>' ELSE '<t>' || ${expr} || '</t>' END`;
}

function cellSql(column: string, kind: XlsxCellKind, first: boolean): string {
	// The first cell's `<c r='A12` is written by Node (see xlsxRowSql).
	const open = first ? "'" : '<c';
	const empty = sqlLiteral(`${open} s='${STYLE_BLANK}'/>`);
	// NULL || anything is NULL: an empty value is an empty cell. So is an empty text: an inline
	// string with nothing in it has no value either, and readers drop it like an unstyled <c/>.
	if (kind === 'amount') return `coalesce(${sqlLiteral(`${open} s='${STYLE_AMOUNT}'><v>`)} || ${column} || '</v></c>', ${empty})`;
	const value = `NULLIF((${column})::text, '')`;
	const t = kind === 'plain' ? `'<t>' || ${value} || '</t>'` : xmlTextSql(value);
	return `coalesce(${sqlLiteral(`${open} t='inlineStr'><is>`)} || ${t} || '</is></c>', ${empty})`;
}

/**
 * A row's line as an SQL expression over the columns of `s` (named by `columns`, in sheet
 * order): the row's `<row>` element minus its head `<row r='n'><c r='An`, which the writer
 * puts in front of each line as it numbers the rows (restarting under the header of every sheet).
 */
export function xlsxRowSql(columns: readonly { name: string; kind: XlsxCellKind }[]): string {
	if (!columns.length) throw new Error('a sheet needs at least one column');
	return `${columns.map((c, i) => cellSql(`s.${c.name}`, c.kind, i === 0)).join(' || ')} || '</row>'`;
}

/** One text column per row over `select`'s rows in its order: the row lines of xlsxRowSql. */
export function xlsxRowsSql(select: string, columns: readonly { name: string; kind: XlsxCellKind }[]): string {
	return `SELECT ${xlsxRowSql(columns)} FROM (${select}) s`;
}
