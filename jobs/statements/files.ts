// The two files of a statement. CSV: Postgres formats every cell and COPY streams it straight
// into chunk storage. XLSX: exceljs's streaming writer with numeric 元 cells, waiting for the
// zip stream to drain so memory stays flat however long the day is.
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import { to as copyTo } from 'pg-copy-streams';
import { formatYuan, yuanCellValue } from '../../src/lib/money.ts';
import { startOfBusinessDate } from '../../src/lib/time.ts';
import { AMOUNT_COLUMN, FEE_COLUMN, STATEMENT_COLUMNS, STATEMENT_SHEET, SUMMARY_COLUMNS, SUMMARY_TITLE, SUMMARY_TOTAL } from './columns.ts';
import { statementRowsSql } from './query.ts';

export interface SummaryRow {
	txnType: string;
	status: string;
	rows: bigint;
	amount: bigint;
	fee: bigint;
}

export interface SummaryTotals {
	rows: bigint;
	amount: bigint;
	fee: bigint;
}

export function totalsOf(summary: SummaryRow[]): SummaryTotals {
	return summary.reduce((t, r) => ({ rows: t.rows + r.rows, amount: t.amount + r.amount, fee: t.fee + r.fee }), {
		rows: 0n,
		amount: 0n,
		fee: 0n
	});
}

const BOM = '\uFEFF';

/** One CSV line of our own cells (labels and amounts): quoted when needed, CRLF-free. */
function csvLine(cells: readonly string[]): string {
	return cells.map((c) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';
}

export function csvHead(): string {
	return BOM + csvLine(STATEMENT_COLUMNS);
}

/** The summary section after the rows: a blank line, 汇总, its header, one line per type and status, 合计. */
export function csvSummary(summary: SummaryRow[]): string {
	const t = totalsOf(summary);
	return (
		'\n' +
		csvLine([SUMMARY_TITLE]) +
		csvLine(SUMMARY_COLUMNS) +
		summary.map((r) => csvLine([r.txnType, r.status, r.rows.toString(), formatYuan(r.amount), formatYuan(r.fee)])).join('') +
		csvLine([SUMMARY_TOTAL, '', t.rows.toString(), formatYuan(t.amount), formatYuan(t.fee)])
	);
}

/** Streams the CSV (BOM, header, COPY rows, summary) into `sink`; resolves with the row count. */
export async function writeStatementCsv(
	client: pg.PoolClient,
	sink: Writable,
	merchantId: bigint,
	accountingDate: string,
	summary: SummaryRow[]
): Promise<number> {
	const copy = client.query(copyTo(`COPY (${statementRowsSql(merchantId, accountingDate, 'text')}) TO STDOUT WITH (FORMAT csv)`));
	await pipeline(async function* () {
		yield Buffer.from(csvHead());
		for await (const chunk of copy) yield chunk as Buffer;
		yield Buffer.from(csvSummary(summary));
	}, sink);
	return copy.rowCount ?? 0;
}

const XLSX_BATCH = 2000;
const AMOUNT_FORMAT = '0.00';

/**
 * Streams the XLSX (sheet 对账单 with the rows, sheet 汇总) into `sink`. `onProgress` gets
 * the rows written so far every batch. The zip entries carry the accounting date as their
 * time, so a rebuild gives the same bytes.
 */
export async function writeStatementXlsx(
	client: pg.PoolClient,
	sink: Writable,
	merchantId: bigint,
	accountingDate: string,
	summary: SummaryRow[],
	onProgress?: (rowsDone: number) => Promise<void>
): Promise<number> {
	const stamp = startOfBusinessDate(accountingDate);
	const wb = pinnedWorkbook(sink, stamp);
	wb.created = stamp;
	wb.modified = stamp;
	wb.creator = '';
	wb.lastModifiedBy = '';

	const sheet = wb.addWorksheet(STATEMENT_SHEET);
	sheet.columns = STATEMENT_COLUMNS.map((header, i) => ({
		header,
		width: i === AMOUNT_COLUMN || i === FEE_COLUMN ? 12 : 20,
		style: i === AMOUNT_COLUMN || i === FEE_COLUMN ? { numFmt: AMOUNT_FORMAT } : {}
	}));

	const cursor = client.query(new Cursor(statementRowsSql(merchantId, accountingDate, 'fen'), [], { rowMode: 'array' }));
	let done = 0;
	try {
		for (;;) {
			const batch = (await cursor.read(XLSX_BATCH)) as unknown[][];
			if (batch.length === 0) break;
			for (const row of batch) {
				row[AMOUNT_COLUMN] = yuanCellValue(row[AMOUNT_COLUMN] as bigint);
				row[FEE_COLUMN] = yuanCellValue(row[FEE_COLUMN] as bigint);
				for (let i = 0; i < row.length; i++) if (row[i] === null) row[i] = undefined;
				sheet.addRow(row).commit();
			}
			done += batch.length;
			await drained(sink);
			await onProgress?.(done);
		}
	} finally {
		await cursor.close();
	}
	sheet.commit();

	const totals = totalsOf(summary);
	const sum = wb.addWorksheet(SUMMARY_TITLE);
	sum.columns = SUMMARY_COLUMNS.map((header, i) => ({ header, width: i < 2 ? 16 : 14, style: i >= 3 ? { numFmt: AMOUNT_FORMAT } : {} }));
	for (const r of summary) sum.addRow([r.txnType, r.status, Number(r.rows), yuanCellValue(r.amount), yuanCellValue(r.fee)]).commit();
	sum.addRow([SUMMARY_TOTAL, '', Number(totals.rows), yuanCellValue(totals.amount), yuanCellValue(totals.fee)]).commit();
	sum.commit();
	await wb.commit();
	return done;
}

/** Lets the zip stream catch up: exceljs ignores back-pressure and would otherwise buffer the whole file. */
async function drained(sink: Writable): Promise<void> {
	await new Promise((r) => setImmediate(r));
	while (sink.writableNeedDrain && !sink.destroyed) await once(sink, 'drain');
}

// archiver stamps every zip entry with the current time; a statement's bytes must not depend
// on it. exceljs adds two entries inside its constructor, so the stamp is pinned on archiver's
// prototype: `constructing` covers the constructor, `pinnedDate` on the instance the rest.
type Entry = { date?: Date };
type ZipLike = { _normalizeEntryData(data: Entry, stats?: unknown): Entry; pinnedDate?: Date };
let constructing: Date | undefined;
let patched = false;

function pinnedWorkbook(sink: Writable, date: Date): ExcelJS.stream.xlsx.WorkbookWriter {
	const options = { stream: sink, useStyles: true, useSharedStrings: false };
	if (!patched) {
		const probe = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough() });
		const proto = Object.getPrototypeOf((probe as unknown as { zip: ZipLike }).zip) as ZipLike;
		const normalize = proto._normalizeEntryData;
		proto._normalizeEntryData = function (this: ZipLike, data, stats) {
			const d = normalize.call(this, data, stats);
			const pin = this.pinnedDate ?? constructing;
			return pin ? { ...d, date: pin } : d;
		};
		patched = true;
	}
	constructing = date;
	try {
		const wb = new ExcelJS.stream.xlsx.WorkbookWriter(options);
		(wb as unknown as { zip: ZipLike }).zip.pinnedDate = date;
		return wb;
	} finally {
		constructing = undefined;
	}
}
