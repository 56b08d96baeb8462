// Issue 9, spreadsheet cells, written as a person opening the files would meet them:
// - a memo holding characters XML 1.0 cannot carry (U+FFFE, U+FFFF, C0 controls) used to give an
//   XLSX that Excel refuses; the export's and the statement's XLSX must open in two independent
//   readers (exceljs, and openpyxl from python3-openpyxl) with those characters dropped;
// - a long all-digit order number in a CSV is read by Excel/WPS as a number (1.23457E+18, the
//   last digits turned to 0): the export and the statement must both write it with a leading
//   backtick, as the wallets' bills do, and agree cell for cell; XLSX cells stay as they are.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { readFileBytes } from '#shared/server/files/index.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { adminOf, callerFor, type Caller } from '../fixtures/context.ts';
import { csvRows } from '../fixtures/csv.ts';
import { exportAndBuild } from '../exports/helpers.ts';

const db = getDb();
const now = new Date();
const today = businessDate(now);
const range = { from: addDays(today, -6), to: today };

const BAD = '\uFFFE\uFFFF\u0001\u001F';
/** A memo with every kind of XML-illegal character Postgres can hold, between text XML must escape. */
const MEMO = `备注${'\uFFFE'}甲${'\uFFFF'}乙${'\u0001'}丙${'\u001F'}丁 & <x> "q"`;
const MEMO_IN_XLSX = '备注甲乙丙丁 & <x> "q"';
/** 19 digits (a card-like number), 12 digits (the threshold), a leading 0, and 11 digits (shown whole). */
const ORDER_NOS = ['6222021234567890123', '202612040001', '0012345', '20261204000'];
const IN_CSV = ['`6222021234567890123', '`202612040001', '`0012345', '20261204000'];

let caller: Caller;
let mainId: bigint;
let day: string;
let work: string;

/** A python3 with openpyxl (python3-openpyxl); the test needs one. */
function openpyxlPython(): string {
	for (const python of ['python3', '/usr/bin/python3']) {
		if (spawnSync(python, ['-c', 'import openpyxl'], { stdio: 'ignore' }).status === 0) return python;
	}
	throw new Error('no python3 with openpyxl: apt-get install python3-openpyxl');
}

/** Every sheet's rows as openpyxl reads them (load_workbook fails on XML it cannot parse). */
function readWithOpenpyxl(bytes: Buffer): Record<string, unknown[][]> {
	const file = join(work, `book-${Math.random().toString(36).slice(2)}.xlsx`);
	writeFileSync(file, bytes);
	const script =
		'import json, sys, openpyxl\n' +
		'wb = openpyxl.load_workbook(sys.argv[1])\n' +
		'print(json.dumps({ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}, ensure_ascii=False, default=str))';
	return JSON.parse(execFileSync(openpyxlPython(), ['-c', script, file], { encoding: 'utf8' }));
}

/** The day's statement, built now. */
async function freshStatement() {
	const s = await upsertStatement(db, mainId, day);
	await db.updateTable('statements').set({ status: 'PENDING' }).where('id', '=', s.id).execute();
	return buildStatement(db, s.id);
}

async function readWithExceljs(bytes: Buffer) {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(bytes as unknown as ArrayBuffer);
	return wb;
}

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), 'mb-cells-'));
	const seeded = await seedDemo(db, { users: 4, days: 3, ordersPerDay: 12, secondUsers: 2, secondDays: 1, secondOrdersPerDay: 2, now });
	const main = await db.selectFrom('merchants').select(['id', 'merchant_no', 'name']).where('id', '=', seeded.merchants[0].id).executeTakeFirstOrThrow();
	caller = callerFor(db, await adminOf(db, main.id));
	mainId = main.id;
	// Four completed payments of one accounting day, so the statement holds them all.
	const first = await db
		.selectFrom('payments')
		.select('accounting_date')
		.where('merchant_id', '=', main.id)
		.where('status', '=', 'TRADE_SUCCESS')
		.where('created_at', '>=', new Date(now.getTime() - 3 * 86_400_000))
		.orderBy('id')
		.executeTakeFirstOrThrow();
	day = first.accounting_date!;
	const paid = await db
		.selectFrom('payments')
		.select('id')
		.where('merchant_id', '=', main.id)
		.where('status', '=', 'TRADE_SUCCESS')
		.where('accounting_date', '=', day)
		.where('created_at', '>=', new Date(now.getTime() - 3 * 86_400_000))
		.orderBy('id')
		.limit(ORDER_NOS.length)
		.execute();
	expect(paid).toHaveLength(ORDER_NOS.length);
	for (const [i, p] of paid.entries())
		await db.updateTable('payments').set({ merchant_order_no: ORDER_NOS[i], memo: i === 0 ? MEMO : null }).where('id', '=', p.id).execute();
}, 600_000);

afterAll(async () => {
	rmSync(work, { recursive: true, force: true });
	await getQueue(QUEUES.EXPORTS).obliterate({ force: true }).catch(() => {});
	await closeQueues();
});

describe('XML-illegal characters', () => {
	it("the export's XLSX opens in exceljs and openpyxl, the memo without them", async () => {
		const { bytes } = await exportAndBuild(caller, { list: 'payments', format: 'XLSX', filter: { ...range, merchantOrderNo: ORDER_NOS[0] }, columns: ['merchantOrderNo', 'memo'] });
		const ws = (await readWithExceljs(bytes)).worksheets[0];
		expect(ws.rowCount).toBe(2);
		expect([ws.getRow(2).getCell(1).value, ws.getRow(2).getCell(2).value]).toEqual([ORDER_NOS[0], MEMO_IN_XLSX]);
		const sheets = readWithOpenpyxl(bytes);
		expect(Object.values(sheets)[0].slice(1)).toEqual([[ORDER_NOS[0], MEMO_IN_XLSX]]);
	});

	it("the statement's XLSX opens in exceljs and openpyxl, the memo without them", async () => {
		const built = await freshStatement();
		if (built.outcome !== 'built') throw new Error(`not built: ${built.outcome}`);
		const bytes = await readFileBytes(built.xlsxFileId);
		const ws = (await readWithExceljs(bytes)).getWorksheet('对账单')!;
		const rows = Array.from({ length: ws.rowCount - 1 }, (_, i) => ws.getRow(i + 2));
		const mine = rows.filter((r) => r.getCell(1).value === ORDER_NOS[0]);
		expect(mine).toHaveLength(1);
		expect(mine[0].getCell(18).value).toBe(MEMO_IN_XLSX); // 收款备注
		const sheets = readWithOpenpyxl(bytes);
		const statement = sheets['对账单'];
		expect(statement[0][0]).toBe('商户订单号');
		expect(statement.filter((r) => r[0] === ORDER_NOS[0]).map((r) => r[17])).toEqual([MEMO_IN_XLSX]);
		expect(JSON.stringify(sheets)).not.toMatch(new RegExp(`[${BAD}]`));
	});
});

describe('long numeric identifiers', () => {
	it('the export and the statement write the same CSV cells: a backtick before 12+ digits or a leading 0; XLSX as they are', async () => {
		const exported = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: range, columns: ['merchantOrderNo'] });
		const exportCells = csvRows(exported.bytes).slice(1).map((r) => r[0]);
		expect(exportCells).toEqual(expect.arrayContaining(IN_CSV));
		for (const no of ORDER_NOS.slice(0, 3)) expect(exportCells).not.toContain(no);

		const built = await freshStatement();
		if (built.outcome !== 'built') throw new Error(`not built: ${built.outcome}`);
		const lines = csvRows(await readFileBytes(built.csvFileId));
		const statementCells = lines.slice(1).map((r) => r[0]);
		expect(statementCells).toEqual(expect.arrayContaining(IN_CSV));
		for (const no of ORDER_NOS.slice(0, 3)) expect(statementCells).not.toContain(no);

		const xlsx = await exportAndBuild(caller, { list: 'payments', format: 'XLSX', filter: range, columns: ['merchantOrderNo'] });
		const ws = (await readWithExceljs(xlsx.bytes)).worksheets[0];
		const xlsxCells = Array.from({ length: ws.rowCount - 1 }, (_, i) => ws.getRow(i + 2).getCell(1).value);
		expect(xlsxCells).toEqual(expect.arrayContaining(ORDER_NOS));
		expect(xlsxCells.filter((v) => String(v).startsWith('`'))).toEqual([]);
	});
});
