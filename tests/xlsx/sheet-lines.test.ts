// An XLSX export's sheet rows are written in Node from a COPY (FORMAT csv) of the cells
// (xlsx/sheet-lines.ts); they must be byte for byte the rows Postgres writes itself from the same
// cells (rows-sql.ts), whatever the text holds and wherever the COPY's chunks happen to end.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '#db';
import { SheetLines, xlsxRowsSql, type XlsxCellKind } from '#shared/server/xlsx/index.ts';

const pool: pg.Pool = createPool(process.env.DATABASE_URL, 2);
afterAll(() => pool.end());

const COLUMNS: { name: string; kind: XlsxCellKind }[] = [
	{ name: 'no', kind: 'plain' },
	{ name: 'memo', kind: 'text' },
	{ name: 'amount', kind: 'amount' },
	{ name: 'label', kind: 'plain' }
];

/** A text literal of arbitrary content (dollar quoting cannot be broken by what the text holds). */
const text = (s: string) => `$q$${s}$q$`;

async function copyOut(query: string): Promise<Buffer> {
	const client = await pool.connect();
	try {
		const parts: Buffer[] = [];
		for await (const chunk of client.query(copyTo(query))) parts.push(chunk as Buffer);
		return Buffer.concat(parts);
	} finally {
		client.release();
	}
}

/** The sheet lines SheetLines writes from `csv`, fed in pieces of the given sizes (cycled). */
function linesFrom(csv: Buffer, pieces: number[]): Buffer {
	const lines = new SheetLines(
		COLUMNS.map((c) => ({ kind: c.kind, identifier: false })),
		{ csv: false }
	);
	const out: Buffer[] = [];
	for (let at = 0, i = 0; at < csv.length; i++) {
		const n = pieces[i % pieces.length];
		const { xml, csv: csvOut } = lines.next(csv.subarray(at, at + n));
		expect(csvOut.length).toBe(0);
		// The buffer is used again by the next call: copy what it holds now.
		out.push(Buffer.from(xml));
		at += n;
	}
	lines.end();
	return Buffer.concat(out);
}

describe('sheet lines from COPY csv', () => {
	it('are the rows Postgres writes from the same cells, for any text and any chunking', async () => {
		const values = [
			'plain',
			'',
			'a & b <c> "d" \\ e\tf\ng\rh',
			`${String.fromCharCode(1)}ctl${String.fromCharCode(0x1f)}`,
			'non\uFFFEchars\uFFFF',
			'  padded  ',
			'\u3000全角空格开头',
			'结尾全角空格\u3000',
			'emoji 🧾 and 中文, with a comma',
			'"quoted", twice ""',
			'=1+1',
			'007',
			'line\r\nbreak'
		];
		const rows = values
			.map((v, i) => `(${i + 1}, ${text(v)}, ${i % 3 === 0 ? 'NULL' : text(((i - 6) * 12.345).toFixed(2))}, ${i % 4 === 0 ? "''" : text(`L${i}`)})`)
			.concat(['(100, NULL, NULL, NULL)']);
		const select = `SELECT * FROM (VALUES ${rows.join(', ')}) v(no, memo, amount, label) ORDER BY no`;
		const expected = await copyOut(`COPY (${xlsxRowsSql(select, COLUMNS)}) TO STDOUT`);
		const csv = await copyOut(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`);
		expect(expected.toString('utf8').split('\n').filter(Boolean)).toHaveLength(values.length + 1);
		for (const pieces of [[csv.length], [1], [2, 3, 5], [7, 64], [13]]) expect(linesFrom(csv, pieces).toString('utf8'), `pieces ${pieces}`).toBe(expected.toString('utf8'));
	});

	it('refuses a source that stops inside a row', () => {
		const lines = new SheetLines(COLUMNS.map((c) => ({ kind: c.kind, identifier: false })), { csv: false });
		lines.next(Buffer.from('1,memo,1.00,L\n2,cut'));
		expect(() => lines.end()).toThrow(/ended inside a row/);
	});
});
