// Streams an .xlsx (SpreadsheetML in a zip) whose sheet bodies arrive as ready-made <row>
// lines (rows-sql.ts), so a million rows cost Postgres's formatting plus deflate, never a
// JavaScript object per cell. zip.ts writes the zip; back-pressure runs from the file sink
// through the deflate stream to the row source, so memory stays flat whatever the row count.
// Relative imports only: the jobs import this under plain Node.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { columnLetters, SHEET_ROWS, STYLE_AMOUNT, STYLE_HEADER } from './rows-sql.ts';
import { ZipWriter, type ZipEntryStream } from './zip.ts';

export interface XlsxColumn {
	header: string;
	/** Width in characters. */
	width: number;
	/** A numeric 0.00 column (for rows written from JavaScript, see `addRows`). */
	amount?: boolean;
}

export interface XlsxOptions {
	/** The zip entries' time; pass a fixed one for byte-identical rebuilds. */
	mtime?: Date;
	/** Deflate level: 1 compresses ~4x faster than the default 6 for ~15 % more bytes. */
	compressionLevel?: number;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

// Worksheets are the default for .xml so this part can go first, before the sheets are counted.
const CONTENT_TYPES =
	XML_HEAD +
	'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
	'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
	'<Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
	'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
	'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
	'</Types>';

const ROOT_RELS =
	XML_HEAD +
	`<Relationships xmlns="${NS_PKG_REL}">` +
	`<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
	'</Relationships>';

// xf 0 default, xf 1 (STYLE_AMOUNT) built-in format 2 = "0.00", xf 2 (STYLE_HEADER) bold, xf 3 (STYLE_BLANK) the default again.
const STYLES =
	XML_HEAD +
	`<styleSheet xmlns="${NS_MAIN}">` +
	'<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
	'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
	'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
	'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
	`<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
	'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
	'</styleSheet>';

// What XML 1.0 cannot hold (Excel refuses the sheet): C0 controls but tab, LF and CR,
// U+FFFE/U+FFFF, and a surrogate without its pair.
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(text: string): string {
	return text
		.replace(XML_ILLEGAL, '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

function textCell(ref: string, value: string, style = 0): string {
	return `<c r="${ref}"${style ? ` s="${style}"` : ''} t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
}

function sheetHead(columns: readonly XlsxColumn[]): string {
	const cols = columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`).join('');
	const header = columns.map((c, i) => textCell(`${columnLetters(i)}1`, c.header, STYLE_HEADER)).join('');
	return (
		XML_HEAD +
		`<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
		// The header row stays in view while scrolling.
		'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
		`<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData><row r="1">${header}</row>\n`
	);
}

const SHEET_TAIL = '</sheetData></worksheet>';

/** `<row r='n'><c r='An` at most: 8 + 7 digits + 9 + 7 digits. */
const HEAD_MAX = 31;
const ROW_OPEN = Buffer.from("<row r='", 'latin1');
const CELL_OPEN = Buffer.from("'><c r='A", 'latin1');

/**
 * Sheet rows go to the zip in pieces of about this size. Each write to the deflate stream is a
 * hop to the thread pool (tens of µs here), and COPY delivers ~11 KB at a time: written as they
 * came, a million rows cost more main-thread time in hops than the rows themselves.
 */
const BATCH = 256 * 1024;

/**
 * Writes the `count` lines of `data` starting at `from` (each ending at ends[i], newline
 * included) into `out` at `o`, each behind its row head, numbered from `first` (digits written
 * as bytes: a string per row kept the garbage collector busy); returns where the next goes.
 * `out` has room for the lines plus HEAD_MAX a row.
 */
function numberRows(out: Buffer, o: number, data: Buffer, from: number, ends: Int32Array, count: number, first: number): number {
	let start = from;
	for (let i = 0; i < count; i++) {
		const n = first + i;
		let digits = 1;
		for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
		out.set(ROW_OPEN, o);
		o += ROW_OPEN.length;
		for (let j = digits - 1, x = n; j >= 0; j--, x = Math.floor(x / 10)) out[o + j] = 48 + (x % 10);
		out.set(CELL_OPEN, o + digits);
		out.copyWithin(o + digits + CELL_OPEN.length, o, o + digits);
		o += 2 * digits + CELL_OPEN.length;
		const end = ends[i] + 1;
		o += data.copy(out, o, start, end);
		start = end;
	}
	return o;
}

export class XlsxWriter {
	readonly #sink: Writable;
	readonly #zip: ZipWriter;
	readonly #sheets: string[] = [];
	/** The fixed parts written first; every later entry waits for the one before (one zip stream). */
	#ready: Promise<void>;

	constructor(sink: Writable, opts: XlsxOptions = {}) {
		this.#sink = sink;
		const zip = new ZipWriter(sink, { mtime: opts.mtime ?? new Date(), level: opts.compressionLevel ?? 1 });
		this.#zip = zip;
		this.#ready = (async () => {
			await zip.addBuffer('[Content_Types].xml', Buffer.from(CONTENT_TYPES));
			await zip.addBuffer('_rels/.rels', Buffer.from(ROOT_RELS));
		})();
		// A sink failure surfaces in the next call that waits for it.
		this.#ready.catch(() => {});
	}

	async #open(name: string, columns: readonly XlsxColumn[]): Promise<ZipEntryStream> {
		await this.#ready;
		this.#sheets.push(name);
		const body = this.#zip.openEntry(`xl/worksheets/sheet${this.#sheets.length}.xml`);
		await body.write(Buffer.from(sheetHead(columns)));
		return body;
	}

	async #close(body: ZipEntryStream): Promise<void> {
		await body.write(Buffer.from(SHEET_TAIL));
		await body.end();
	}

	/**
	 * Sheets from a stream of row lines, one row per line, each line a `<row>` element without
	 * its head `<row r='n'><c r='An` (rows-sql.ts): the head is written here, numbering the rows
	 * from 2 under the header, and a new sheet starts every `sheetRows` rows. `name(i)` names
	 * sheet i (0-based); `onRows` hears the running count. Resolves with the number of rows.
	 */
	async addRowSheets(
		name: (index: number) => string,
		columns: readonly XlsxColumn[],
		lines: AsyncIterable<Buffer>,
		opts: { sheetRows?: number; onRows?: (rows: number) => Promise<void> } = {}
	): Promise<number> {
		const limit = opts.sheetRows ?? SHEET_ROWS;
		let sheets = 0;
		let body: ZipEntryStream | undefined;
		let inSheet = 0;
		let total = 0;
		let ends = new Int32Array(1024);
		// Numbered rows waiting for the zip (see BATCH). Two buffers take turns: one fills while the
		// zip takes the other in (a fresh buffer per batch kept the garbage collector busy).
		let out: Buffer = Buffer.allocUnsafe(BATCH);
		let spare: Buffer | undefined;
		let used = 0;
		const flush = async () => {
			if (!body || used === 0) return;
			const full = out;
			out = spare ?? Buffer.allocUnsafe(BATCH);
			spare = undefined;
			const rowsOut = full.subarray(0, used);
			used = 0;
			await body.write(rowsOut);
			spare = full;
		};
		/** Writes the whole lines of data[from..] (as many as the sheet has room for); returns where the rest starts. */
		const rows = async (data: Buffer, from: number): Promise<number> => {
			let pos = from;
			while (pos < data.length) {
				const room = limit - inSheet;
				let count = 0;
				for (let i = data.indexOf(10, pos); i !== -1 && count < room; i = data.indexOf(10, i + 1)) {
					if (count === ends.length) {
						const grown = new Int32Array(ends.length * 2);
						grown.set(ends);
						ends = grown;
					}
					ends[count++] = i;
				}
				if (count === 0) break;
				const last = ends[count - 1];
				// Sheets open on their first row, so a source ending on a sheet boundary adds no empty one.
				body ??= await this.#open(name(sheets++), columns);
				const need = last + 1 - pos + count * HEAD_MAX;
				if (used + need > out.length) {
					await flush();
					if (need > out.length) out = Buffer.allocUnsafe(need);
				}
				used = numberRows(out, used, data, pos, ends, count, inSheet + 2);
				inSheet += count;
				total += count;
				pos = last + 1;
				if (inSheet === limit) {
					await flush();
					await this.#close(body);
					body = undefined;
					inSheet = 0;
				}
			}
			return pos;
		};
		let carry: Buffer | undefined;
		for await (const chunk of lines) {
			let from = 0;
			if (carry) {
				// The line cut at the end of the previous chunk: joined with its end (a copy of one line only).
				const nl = chunk.indexOf(10);
				if (nl === -1) {
					carry = Buffer.concat([carry, chunk]);
					continue;
				}
				const line = Buffer.concat([carry, chunk.subarray(0, nl + 1)]);
				carry = undefined;
				await rows(line, 0);
				from = nl + 1;
			}
			const rest = await rows(chunk, from);
			if (rest < chunk.length) carry = chunk.subarray(rest);
			await opts.onRows?.(total);
		}
		if (carry?.length) throw new Error('the row source ended inside a row');
		body ??= sheets === 0 ? await this.#open(name(sheets++), columns) : undefined;
		await flush();
		if (body) await this.#close(body);
		return total;
	}

	/** A small sheet from JavaScript values (a summary): strings as text, bigint/number as numbers. */
	async addRows(name: string, columns: readonly XlsxColumn[], rows: readonly (readonly (string | number | null)[])[]): Promise<void> {
		const body = await this.#open(name, columns);
		const lines = rows.map((row, r) => {
			const n = r + 2;
			const cells = row
				.map((v, i) => {
					if (v === null || v === '') return '';
					const ref = `${columnLetters(i)}${n}`;
					if (typeof v === 'number') return `<c r="${ref}"${columns[i]?.amount ? ` s="${STYLE_AMOUNT}"` : ''}><v>${v}</v></c>`;
					if (columns[i]?.amount) return `<c r="${ref}" s="${STYLE_AMOUNT}"><v>${escapeXml(v)}</v></c>`;
					return textCell(ref, v);
				})
				.join('');
			return `<row r="${n}">${cells}</row>\n`;
		});
		await body.write(Buffer.from(lines.join('')));
		await this.#close(body);
	}

	/** Writes the workbook parts and the zip's directory; resolves when the sink has it all. */
	async finish(): Promise<void> {
		const sheets = this.#sheets.map((name, i) => `<sheet name="${escapeXml(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
		const workbook = XML_HEAD + `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheets>${sheets}</sheets></workbook>`;
		const rels =
			XML_HEAD +
			`<Relationships xmlns="${NS_PKG_REL}">` +
			this.#sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
			`<Relationship Id="rId${this.#sheets.length + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
			'</Relationships>';
		await this.#ready;
		await this.#zip.addBuffer('xl/workbook.xml', Buffer.from(workbook));
		await this.#zip.addBuffer('xl/_rels/workbook.xml.rels', Buffer.from(rels));
		await this.#zip.addBuffer('xl/styles.xml', Buffer.from(STYLES));
		await this.#zip.finish();
		const finished = once(this.#sink, 'finish');
		this.#sink.end();
		await finished;
	}
}
