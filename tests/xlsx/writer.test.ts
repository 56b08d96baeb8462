// The SQL-fed XLSX writer, read back with exceljs (an independent reader): cell values and
// types, escaping, sheet splitting at the row limit, empty sources, byte-identical rebuilds.
import { Collect } from '../fixtures/collect.ts';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '#db';
import { columnLetters, XlsxWriter, xlsxRowsSql, type XlsxCellKind } from '#shared/server/xlsx/index.ts';

const pool: pg.Pool = createPool(process.env.DATABASE_URL, 2);
afterAll(() => pool.end());

const COLUMNS: { name: string; kind: XlsxCellKind; header: string }[] = [
	{ name: 'no', kind: 'plain', header: '序号' },
	{ name: 'memo', kind: 'text', header: '备注' },
	{ name: 'amount', kind: 'amount', header: '金额' }
];

/** Builds a workbook from `select` (columns no, memo, amount) and reads it back. */
async function build(select: string, opts: { sheetRows?: number; mtime?: Date } = {}) {
	const client = await pool.connect();
	const sink = new Collect();
	const progress: number[] = [];
	try {
		const xlsx = new XlsxWriter(sink, { mtime: opts.mtime });
		const rows = await xlsx.addRowSheets(
			(i) => (i === 0 ? '明细' : `明细 ${i + 1}`),
			COLUMNS.map((c) => ({ header: c.header, width: 12 })),
			client.query(copyTo(`COPY (${xlsxRowsSql(select, COLUMNS)}) TO STDOUT`)),
			{ sheetRows: opts.sheetRows, onRows: async (n) => void progress.push(n) }
		);
		await xlsx.addRows('汇总', [{ header: '项目', width: 10 }, { header: '金额', width: 10, amount: true }], [
			['合计 & <总>', '1234.50'],
			['笔数', 3]
		]);
		await xlsx.finish();
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(sink.bytes as unknown as ArrayBuffer);
		return { rows, wb, bytes: sink.bytes, progress };
	} finally {
		client.release();
	}
}

describe('XLSX writer', () => {
	it('names columns A..Z, AA..', () => {
		expect([0, 25, 26, 51, 52, 701, 702].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
	});

	it('writes text as strings and amounts as numbers in 0.00, escaping whatever the text holds', async () => {
		const tricky = `a & b <c> "d" \\ e\tf\ng\rh${String.fromCharCode(1)}i\uFFFEj\uFFFFk\u001Fl`;
		const { rows, wb } = await build(
			`SELECT * FROM (VALUES (1, ${pgText(tricky)}, '12.30'), (2, '  padded  ', '-0.05'), (3, NULL, NULL), (4, '=1+1', '99999999999.99')) v(no, memo, amount) ORDER BY no`
		);
		expect(rows).toBe(4);
		const ws = wb.getWorksheet('明细')!;
		expect(ws.getRow(1).values).toEqual([undefined, '序号', '备注', '金额']);
		expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
		expect(ws.getCell('A2').value).toBe('1');
		// Control characters other than tab, LF and CR, U+FFFE and U+FFFF cannot be stored in XML: dropped.
		expect(ws.getCell('B2').value).toBe('a & b <c> "d" \\ e\tf\ng\rhijkl');
		expect(ws.getCell('C2').value).toBe(12.3);
		expect(ws.getCell('C2').numFmt).toBe('0.00');
		expect(ws.getCell('B3').value).toBe('  padded  ');
		expect(ws.getCell('C3').value).toBe(-0.05);
		expect(ws.getCell('B4').value).toBeNull();
		expect(ws.getCell('C4').value).toBeNull();
		expect(ws.getCell('B5').value).toBe('=1+1'); // an inline string is never a formula
		expect(ws.getCell('C5').value).toBe(99999999999.99);
		const sum = wb.getWorksheet('汇总')!;
		expect(sum.getCell('A2').value).toBe('合计 & <总>');
		expect(sum.getCell('B2').value).toBe(1234.5);
		expect(sum.getCell('B2').numFmt).toBe('0.00');
		expect(sum.getCell('B3').value).toBe(3);
	});

	it('keeps every value in its column when cells before it are empty or empty text (only the first cell carries its reference)', async () => {
		const { rows, wb, bytes } = await build(
			`SELECT * FROM (VALUES (NULL::int, NULL, '5.00'), (6, NULL, '7.00'), (NULL::int, 'x', NULL), (8, '', '9.00')) v(no, memo, amount) ORDER BY no NULLS FIRST, memo NULLS FIRST`
		);
		expect(rows).toBe(4);
		const ws = wb.getWorksheet('明细')!;
		expect([ws.getCell('A2').value, ws.getCell('B2').value, ws.getCell('C2').value]).toEqual([null, null, 5]);
		expect([ws.getCell('A3').value, ws.getCell('B3').value, ws.getCell('C3').value]).toEqual([null, 'x', null]);
		expect([ws.getCell('A4').value, ws.getCell('B4').value, ws.getCell('C4').value]).toEqual(['6', null, 7]);
		// An empty text is an empty cell too (an inline string holding nothing would be dropped by readers).
		expect([ws.getCell('A5').value, ws.getCell('B5').value, ws.getCell('C5').value]).toEqual(['8', null, 9]);
		// The sheet as written: `<row r>` and the first cell's reference from the writer, empty cells as <c/>.
		const JSZip = (await import('jszip')).default;
		const sheet = await (await JSZip.loadAsync(bytes)).file('xl/worksheets/sheet1.xml')!.async('string');
		expect(sheet).toContain("<row r='2'><c r='A2' s='3'/><c s='3'/><c s='1'><v>5.00</v></c></row>");
	});

	it('starts a new sheet every sheetRows rows, row numbers restarting under the header', async () => {
		const { rows, wb, progress } = await build(
			`SELECT n AS no, 'r' || n AS memo, (n * 1.25)::numeric(12,2)::text AS amount FROM generate_series(1, 2500) n ORDER BY n`,
			{ sheetRows: 1000 }
		);
		expect(rows).toBe(2500);
		expect(progress.at(-1)).toBe(2500);
		expect(wb.worksheets.map((w) => w.name)).toEqual(['明细', '明细 2', '明细 3', '汇总']);
		const [a, b, c] = wb.worksheets;
		expect([a.rowCount, b.rowCount, c.rowCount]).toEqual([1001, 1001, 501]);
		expect(a.getCell('A2').value).toBe('1');
		expect(a.getCell('A1001').value).toBe('1000');
		expect(b.getCell('A1').value).toBe('序号');
		expect(b.getCell('A2').value).toBe('1001');
		expect(c.getCell('B501').value).toBe('r2500');
		expect(c.getCell('C501').value).toBe(3125);
	});

	it('adds no empty sheet when the rows end on a sheet boundary, and one header-only sheet for no rows', async () => {
		const exact = await build(`SELECT n AS no, 'x' AS memo, '1.00' AS amount FROM generate_series(1, 2000) n ORDER BY n`, { sheetRows: 1000 });
		expect(exact.wb.worksheets.map((w) => [w.name, w.rowCount])).toEqual([
			['明细', 1001],
			['明细 2', 1001],
			['汇总', 3]
		]);
		const none = await build(`SELECT 1 AS no, 'x' AS memo, '1.00' AS amount WHERE false`);
		expect(none.rows).toBe(0);
		expect(none.wb.worksheets.map((w) => [w.name, w.rowCount])).toEqual([
			['明细', 1],
			['汇总', 3]
		]);
	});

	it('gives the same bytes for the same rows and time', async () => {
		const select = `SELECT n AS no, md5(n::text) AS memo, n::text || '.00' AS amount FROM generate_series(1, 300) n ORDER BY n`;
		const mtime = new Date('2026-11-24T16:00:00Z');
		const one = await build(select, { mtime });
		const two = await build(select, { mtime });
		expect(one.bytes.equals(two.bytes)).toBe(true);
	});
});

function pgText(s: string): string {
	// An E'' literal with every character escaped as \uXXXX: nothing in it is special to SQL.
	return `E'${[...s].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}'`;
}
