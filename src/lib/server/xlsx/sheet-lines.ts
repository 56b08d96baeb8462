// Sheet row lines from a COPY (FORMAT csv) of the sheet's cells, so Postgres formats only the
// cells and Node writes the XML on the other core (rows-sql.ts wrote the XML in SQL, on the
// COPY's one core). Used twice:
// - both files of a day's statement from one COPY (statements/writer.ts): Postgres reads,
//   formats and sorts the day's rows once, as the 26 sheet cells (statementRowsSql's `xlsx`
//   target), and each record becomes the CSV file's line and the XLSX sheet's row line (two row
//   queries, one per file, competed for the 2 cores);
// - an XLSX export (exports/build.ts), sheet lines only.
// - CSV: the record as COPY wrote it, with the backtick the `csv` target gives an identifier of
//   12 or more digits or a leading 0 (sql-cells.ts csvIdentifierSql). COPY never quotes such a
//   value, nor one starting with ' (neutralised), so the line is byte for byte a COPY of the
//   `csv` target's cells.
// - Sheet: the row line of rows-sql.ts (without its head `<row r='n'><c r='An`, which the
//   writer numbers): amounts as numeric cells, free text XML-escaped with xml:space='preserve'
//   where it needs it, NULL and '' as an empty styled cell.
// Relative imports only: the jobs import this under plain Node.
import { STYLE_AMOUNT, STYLE_BLANK, type XlsxCellKind } from './rows-sql.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const NL = 0x0a;
const BACKTICK = 0x60;

export interface SheetLineColumn {
	/** Written as rows-sql.ts writes a cell of this kind. */
	kind: XlsxCellKind;
	/** A long all-digit value gets a leading backtick in the CSV (layout.ts IDENTIFIER_COLUMNS). */
	identifier: boolean;
}

/**
 * The whole records of a chunk: CSV lines, sheet lines (each ending in a newline). `xml` is
 * valid until the next call of `next` (its buffer is used again); `csv` is the caller's.
 */
export interface SheetRecords {
	csv: Buffer;
	xml: Buffer;
	rows: number;
}

const bytes = (s: string) => Buffer.from(s, 'utf8');
const INLINE_FIRST = bytes(`' t='inlineStr'><is><t>`);
const INLINE = bytes(`<c t='inlineStr'><is><t>`);
const PRESERVE_FIRST = bytes(`' t='inlineStr'><is><t xml:space='preserve'>`);
const PRESERVE = bytes(`<c t='inlineStr'><is><t xml:space='preserve'>`);
const INLINE_END = bytes('</t></is></c>');
const AMOUNT_FIRST = bytes(`' s='${STYLE_AMOUNT}'><v>`);
const AMOUNT = bytes(`<c s='${STYLE_AMOUNT}'><v>`);
const AMOUNT_END = bytes('</v></c>');
const EMPTY_FIRST = bytes(`' s='${STYLE_BLANK}'/>`);
const EMPTY = bytes(`<c s='${STYLE_BLANK}'/>`);
const ROW_END = bytes('</row>\n');
const NO_CSV = Buffer.alloc(0);
/** What & < > \ LF CR TAB become (rows-sql.ts xmlTextSql); other C0 controls are dropped. */
const ESCAPES: (Buffer | null)[] = Array.from({ length: 128 }, (_, c) => {
	const ref = { 0x26: '&amp;', 0x3c: '&lt;', 0x3e: '&gt;', 0x5c: '&#92;', 0x0a: '&#10;', 0x0d: '&#13;', 0x09: '&#9;' }[c];
	return ref ? bytes(ref) : null;
});

/**
 * White space as Postgres's regex `\s` sees it on this database (glibc's iswspace, C.UTF-8):
 * a free-text value starting or ending with one is marked xml:space='preserve'.
 */
function isSpace(cp: number): boolean {
	return (
		cp === 0x20 ||
		(cp >= 0x09 && cp <= 0x0d) ||
		cp === 0x1680 ||
		(cp >= 0x2000 && cp <= 0x2006) ||
		(cp >= 0x2008 && cp <= 0x200a) ||
		cp === 0x2028 ||
		cp === 0x2029 ||
		cp === 0x205f ||
		cp === 0x3000
	);
}

/** The code point of the UTF-8 character starting at `i`. */
function codePointAt(b: Buffer, i: number): number {
	const c = b[i];
	if (c < 0x80) return c;
	if (c < 0xe0) return ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
	if (c < 0xf0) return ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
	return ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
}

/** The code point of the UTF-8 character ending just before `end`. */
function codePointBefore(b: Buffer, start: number, end: number): number {
	let i = end - 1;
	while (i > start && (b[i] & 0xc0) === 0x80) i--;
	return codePointAt(b, i);
}

/** U+FFFE or U+FFFF (EF BF BE / EF BF BF), which XML cannot hold, at `i`. */
const isNonChar = (b: Buffer, i: number, end: number) => b[i] === 0xef && i + 2 < end && b[i + 1] === 0xbf && (b[i + 2] === 0xbe || b[i + 2] === 0xbf);

/** Does the text in b[s..e) need escaping or xml:space (rows-sql.ts SPECIAL)? */
function special(b: Buffer, s: number, e: number): boolean {
	for (let i = s; i < e; i++) {
		const c = b[i];
		if (c < 0x20 || c === 0x26 || c === 0x3c || c === 0x3e || c === 0x5c || (c === 0xef && isNonChar(b, i, e))) return true;
	}
	return isSpace(codePointAt(b, s)) || isSpace(codePointBefore(b, s, e));
}

/**
 * Turns a COPY (FORMAT csv) of the sheet cells into the two files' lines, chunk by chunk; a
 * record cut at a chunk's end waits for the next chunk, and `end()` throws if the source
 * stopped inside one. Without `csv`, only the sheet lines are written (`csv` comes back empty).
 */
export class SheetLines {
	readonly #columns: readonly SheetLineColumn[];
	#carry: Buffer | undefined;
	/**
	 * The sheet lines' buffer, used again by every call: the XLSX writer has copied the lines
	 * into its own batches before it asks for more (the ~50 MB of a day's sheet rows in fresh
	 * buffers made the garbage collector run a dozen full collections a statement).
	 */
	#xml: Buffer = Buffer.allocUnsafe(0);
	/** A quoted value without its doubled quotes, for the sheet. */
	#value = Buffer.allocUnsafe(1024);

	readonly #identifiers: number;
	readonly #csv: boolean;

	constructor(columns: readonly SheetLineColumn[], opts: { csv?: boolean } = {}) {
		this.#columns = columns;
		this.#identifiers = columns.filter((c) => c.identifier).length;
		this.#csv = opts.csv ?? true;
	}

	next(chunk: Buffer): SheetRecords {
		const data = this.#carry ? Buffer.concat([this.#carry, chunk]) : chunk;
		// The CSV grows by a backtick per identifier of a record (a record has 26 bytes at least);
		// the sheet lines are ~3.5 times the cells, and grow as needed (see `room`). Sized to fit:
		// fresh pages of a buffer never used cost page faults.
		const withCsv = this.#csv;
		const csv = withCsv ? Buffer.allocUnsafe(data.length + Math.ceil((data.length * this.#identifiers) / this.#columns.length) + 64) : NO_CSV;
		let xml = this.#xml;
		if (xml.length < data.length * 3.6 + this.#columns.length * 64) xml = Buffer.allocUnsafe(Math.ceil(data.length * 4) + this.#columns.length * 64);
		let c = 0;
		let x = 0;
		let rows = 0;
		let p = 0;
		const columns = this.#columns;
		const n = columns.length;
		// Where the record being read began in each output: an incomplete one is taken back.
		let x0 = 0;
		let c0 = 0;
		records: while (p < data.length) {
			x0 = x;
			c0 = c;
			let csvFrom = p;
			let i = p;
			for (let col = 0; col < n; col++) {
				const first = col === 0;
				const kind = columns[col].kind;
				let s: number;
				let e: number;
				let src: Buffer = data;
				let empty: boolean;
				if (i >= data.length) break records;
				if (data[i] === QUOTE) {
					// Quoted: up to the " not doubled; "" is one ".
					let v = 0;
					let from = i + 1;
					let close = -1;
					for (let q = data.indexOf(QUOTE, from); q !== -1 && q + 1 < data.length; q = data.indexOf(QUOTE, q + 2)) {
						if (data[q + 1] !== QUOTE) {
							close = q;
							break;
						}
						v = this.#take(data, from, q + 1, v);
						from = q + 2;
					}
					if (close === -1) break records;
					v = this.#take(data, from, close, v);
					src = this.#value;
					s = 0;
					e = v;
					// A quoted empty value is '' (an empty cell, as NULL is).
					empty = v === 0;
					i = close + 1;
				} else {
					s = i;
					while (i < data.length && data[i] !== COMMA && data[i] !== NL) i++;
					if (i >= data.length) break records;
					e = i;
					empty = e === s;
					// The CSV's backtick: 2+ all-digit bytes, 12 or more of them or a leading 0.
					if (withCsv && columns[col].identifier && e - s > 1 && (e - s >= 12 || data[s] === 0x30) && allDigits(data, s, e)) {
						c = put(csv, c, data, csvFrom, s);
						csv[c++] = BACKTICK;
						csvFrom = s;
					}
				}
				const sep = data[i];
				if (sep !== (col === n - 1 ? NL : COMMA)) {
					if (i >= data.length) break records;
					throw new Error(`a statement row with other than ${n} cells`);
				}
				i++;
				// Room for the cell: under 64 bytes of markup (and the row's end), its value escaped (6 bytes a byte at most).
				if (x + 64 + 6 * (e - s) > xml.length) {
					const grown = Buffer.allocUnsafe(xml.length * 2 + 6 * (e - s));
					grown.set(xml.subarray(0, x));
					xml = grown;
				}
				if (empty) x = putAll(xml, x, first ? EMPTY_FIRST : EMPTY);
				else if (kind === 'amount') {
					x = putAll(xml, x, first ? AMOUNT_FIRST : AMOUNT);
					x = put(xml, x, src, s, e);
					x = putAll(xml, x, AMOUNT_END);
				} else if (kind === 'text' && special(src, s, e)) {
					x = putAll(xml, x, first ? PRESERVE_FIRST : PRESERVE);
					x = escapeInto(xml, x, src, s, e);
					x = putAll(xml, x, INLINE_END);
				} else {
					x = putAll(xml, x, first ? INLINE_FIRST : INLINE);
					x = put(xml, x, src, s, e);
					x = putAll(xml, x, INLINE_END);
				}
			}
			x = putAll(xml, x, ROW_END);
			if (withCsv) c = put(csv, c, data, csvFrom, i);
			rows++;
			p = i;
		}
		if (p < data.length) {
			x = x0;
			c = c0;
			this.#carry = Buffer.from(data.subarray(p));
		} else this.#carry = undefined;
		this.#xml = xml;
		return { csv: csv.subarray(0, c), xml: xml.subarray(0, x), rows };
	}

	/** Throws if the source ended inside a record. */
	end(): void {
		if (this.#carry?.length) throw new Error('the statement rows ended inside a row');
	}

	/** Appends data[s..e) to the quoted value being read; returns its new length. */
	#take(data: Buffer, s: number, e: number, v: number): number {
		if (v + e - s > this.#value.length) {
			const grown = Buffer.allocUnsafe(Math.max(this.#value.length * 2, v + e - s));
			grown.set(this.#value.subarray(0, v));
			this.#value = grown;
		}
		return put(this.#value, v, data, s, e);
	}
}

/**
 * Copies b[s..e) into `out` at `o`; returns where the next goes. A loop, not Buffer#copy: the
 * pieces are a few bytes, and each Buffer#copy made a Uint8Array view (millions a statement,
 * most of the time in the garbage collector).
 */
function put(out: Uint8Array, o: number, b: Uint8Array, s: number, e: number): number {
	for (let i = s; i < e; i++) out[o++] = b[i];
	return o;
}

/** `piece` (markup) into `out` at `o`; returns where the next goes. */
function putAll(out: Uint8Array, o: number, piece: Uint8Array): number {
	for (let i = 0; i < piece.length; i++) out[o++] = piece[i];
	return o;
}

function allDigits(b: Buffer, s: number, e: number): boolean {
	for (let i = s; i < e; i++) if (b[i] < 0x30 || b[i] > 0x39) return false;
	return true;
}

/** b[s..e) XML-escaped into `out` at `o` (rows-sql.ts xmlTextSql); returns where the next goes. */
function escapeInto(out: Uint8Array, o: number, b: Buffer, s: number, e: number): number {
	for (let i = s; i < e; i++) {
		const c = b[i];
		if (c < 0x80) {
			const ref = ESCAPES[c];
			if (ref) o = putAll(out, o, ref);
			else if (c >= 0x20) out[o++] = c;
			// other C0 controls: dropped
		} else if (c === 0xef && isNonChar(b, i, e)) i += 2;
		else out[o++] = c;
	}
	return o;
}
