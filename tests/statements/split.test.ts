// A day's statement writes both files from one COPY of the sheet cells, split in Node
// (xlsx/sheet-lines.ts). Its bytes must be exactly those of the one-file writers, which have
// Postgres write each file (writeStatementCsv, writeStatementXlsx: the range statements' path):
// checked here on a day whose free text holds everything that needs quoting or escaping.
import { Collect } from '../fixtures/collect.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../db/index.ts';
import { readSummary } from '../../src/lib/server/statements/build.ts';
import { SheetLines } from '../../src/lib/server/xlsx/sheet-lines.ts';
import { writeStatementCsv, writeStatementFiles, writeStatementXlsx } from '../../src/lib/server/statements/writer.ts';
import { closeFilePool, getFilePool } from '../../src/lib/server/files/index.ts';
import { paymentsOfDay, seedSmallDemo } from './helpers.ts';

const db = getDb();
let merchantId: bigint;
let date: string;

// Free text as merchants, users and channels type it: CSV quoting (comma, quote, newlines), XML
// specials and backslash, control characters XML cannot hold, U+FFFE, white space at either end
// (ASCII and ideographic), formulas, long digit runs with and without a leading 0, four-byte
// characters, empty text, and a lone quote.
const TRICKY = [
	'a, "b"\nc',
	'x & <y> \\ z',
	' lead',
	'trail\u3000',
	'\u3000both ',
	`ctl\u0001\u0008\u000b\u001f\ttab\r\ncrlf`,
	'nonchar\uFFFEx\uFFFF',
	'=SUM(A1)',
	'-5',
	'000123',
	'123456789012345678',
	'emoji 😀 中文',
	'',
	'"',
	'trailing,'
];

beforeAll(async () => {
	({ merchantId, date } = await seedSmallDemo(db));
	const ids = await paymentsOfDay(db, merchantId, date, TRICKY.length);
	expect(ids.length).toBe(TRICKY.length);
	for (const [i, { id }] of ids.entries()) {
		const t = TRICKY[i];
		const u = TRICKY[(i + 5) % TRICKY.length];
		await db
			.updateTable('payments')
			.set({ merchant_order_no: `${t}#${i}`, order_info: t, memo: u, payee_name: t === '' ? null : u, channel_txn_no: i % 2 ? t : null })
			.where('id', '=', id)
			.execute();
	}
}, 180_000);

afterAll(closeFilePool);

describe("a day's statement from one COPY", () => {
	it('gives the same CSV and XLSX bytes as Postgres writing each file', async () => {
		const client = await getFilePool().connect();
		try {
			const summary = await readSummary(db, merchantId, date);
			const csvA = new Collect();
			const xlsxA = new Collect();
			await writeStatementCsv(client, csvA, merchantId, date, summary);
			await writeStatementXlsx(client, xlsxA, merchantId, date, summary);
			const csvB = new Collect();
			const xlsxB = new Collect();
			const rows = await writeStatementFiles(client, csvB, xlsxB, merchantId, date, summary);
			expect(rows).toBe(Number(summary.rows));
			expect(csvB.bytes.toString()).toBe(csvA.bytes.toString());
			expect(csvB.bytes.equals(csvA.bytes)).toBe(true);
			expect(xlsxB.bytes.equals(xlsxA.bytes)).toBe(true);
			// The day did hold what needs quoting and escaping.
			expect(csvA.bytes.toString()).toContain('"a, ""b""\nc');
			expect(csvA.bytes.toString()).toContain('`000123');
		} finally {
			client.release();
		}
	});

	it('takes a record cut anywhere by the chunks, and refuses a source that stops inside one', () => {
		const lines = new SheetLines([
			{ kind: 'text', identifier: true },
			{ kind: 'amount', identifier: false }
		]);
		const copy = Buffer.from('000123,1.00\n"a,""b""",\n,-2.50\n');
		const csv: Buffer[] = [];
		const xml: Buffer[] = [];
		for (let i = 0; i < copy.length; i += 3) {
			const part = lines.next(copy.subarray(i, i + 3));
			csv.push(part.csv);
			// Valid until the next call only (the buffer is used again).
			xml.push(Buffer.from(part.xml));
		}
		lines.end();
		expect(Buffer.concat(csv).toString()).toBe('`000123,1.00\n"a,""b""",\n,-2.50\n');
		expect(Buffer.concat(xml).toString()).toBe(
			[
				`' t='inlineStr'><is><t>000123</t></is></c><c s='1'><v>1.00</v></c></row>`,
				`' t='inlineStr'><is><t>a,"b"</t></is></c><c s='3'/></row>`,
				`' s='3'/><c s='1'><v>-2.50</v></c></row>`,
				''
			].join('\n')
		);
		lines.next(Buffer.from('1,2.00\n"x'));
		expect(() => lines.end()).toThrow(/inside a row/);
	});
});
