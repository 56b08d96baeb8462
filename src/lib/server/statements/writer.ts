// The two files of a statement. Postgres formats every cell and COPY streams it: straight into
// chunk storage for the CSV, as ready-made sheet rows into the zip for the XLSX. A day's build
// writes both from one COPY of the sheet cells (writeStatementFiles, xlsx/sheet-lines.ts); a range
// statement writes the one asked for.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { formatYuan } from '#shared/money.ts';
import { startOfBusinessDate } from '#shared/time.ts';
import { copyOut, withRowProgress } from '../copy-out.ts';
import { inCopyTransaction } from '../exports/copy.ts';
import { CSV_BOM, csvLine } from '../files/index.ts';
import { XlsxWriter, xlsxRowSql, type XlsxCellKind } from '../xlsx/index.ts';
import {
	AMOUNT_COLUMN,
	BALANCED,
	DIRECTION,
	FEE_COLUMN,
	FREE_TEXT_COLUMNS,
	IDENTIFIER_COLUMNS,
	LABELS,
	RECONCILIATION_COLUMNS,
	RECONCILIATION_TITLE,
	STATEMENT_COLUMNS,
	STATEMENT_SHEET,
	SUMMARY_COLUMNS,
	SUMMARY_TITLE
} from './layout.ts';
import { periodOf, statementRowsSql, type StatementPeriod } from './query.ts';
import { SheetLines } from '../xlsx/sheet-lines.ts';

/** One 交易类型 of one kind (1 payment, 2 refund, 3 withdrawal/payout): count and fen. */
export interface SummaryRow {
	kind: number;
	txnType: string;
	rows: bigint;
	amount: bigint;
	fee: bigint;
}

/** One merchant account's day: opening + credits − debits = closing (fen). */
export interface BalanceRow {
	accountType: string;
	opening: bigint;
	credits: bigint;
	debits: bigint;
	closing: bigint;
}

export interface StatementSummary {
	groups: SummaryRow[];
	balances: BalanceRow[];
}

export interface DirectionTotals {
	rows: bigint;
	moneyIn: bigint;
	inRows: bigint;
	refunds: bigint;
	payouts: bigint;
	fees: bigint;
	feeRows: bigint;
	net: bigint;
}

/** The directions' totals. The net subtracts what went out from what came in; nothing is added across directions. */
export function directionTotals(groups: SummaryRow[]): DirectionTotals {
	const sum = (kind: number, f: (r: SummaryRow) => bigint) => groups.filter((r) => r.kind === kind).reduce((t, r) => t + f(r), 0n);
	const moneyIn = sum(1, (r) => r.amount);
	const refunds = sum(2, (r) => r.amount);
	const payouts = sum(3, (r) => r.amount);
	const fees = groups.reduce((t, r) => t + r.fee, 0n);
	const feeRows = groups.filter((r) => r.fee > 0n).length;
	return {
		rows: groups.reduce((t, r) => t + r.rows, 0n),
		moneyIn,
		inRows: sum(1, (r) => r.rows),
		refunds,
		payouts,
		fees,
		feeRows: BigInt(feeRows),
		net: moneyIn - refunds - payouts - fees
	};
}

/** The 汇总 table's rows as cells: money in per 交易类型 and its total, refunds, payouts per 交易类型, fees, the net. */
export function directionCells(groups: SummaryRow[]): string[][] {
	const t = directionTotals(groups);
	const line = (item: string, type: string, rows: bigint | null, amount: bigint) => [item, type, rows === null ? '' : rows.toString(), formatYuan(amount)];
	const of = (kind: number, item: string) => groups.filter((r) => r.kind === kind).map((r) => line(item, r.txnType, r.rows, r.amount));
	const count = (kind: number) => groups.filter((r) => r.kind === kind).reduce((n, r) => n + r.rows, 0n);
	return [
		...of(1, DIRECTION.in),
		line(DIRECTION.inTotal, '', t.inRows, t.moneyIn),
		line(DIRECTION.refund, LABELS.refundType, count(2), t.refunds),
		...of(3, DIRECTION.payout),
		line(DIRECTION.fee, '', null, t.fees),
		line(DIRECTION.net, '', null, t.net)
	];
}

/** The 余额核对 table's rows as cells: per account, the four balances and 平/不平. */
export function reconciliationCells(balances: BalanceRow[]): string[][] {
	return balances.map((b) => [
		LABELS.accountType[b.accountType] ?? b.accountType,
		formatYuan(b.opening),
		formatYuan(b.credits),
		formatYuan(b.debits),
		formatYuan(b.closing),
		b.opening + b.credits - b.debits === b.closing ? BALANCED.yes : BALANCED.no
	]);
}

export function csvHead(): string {
	return CSV_BOM + csvLine(STATEMENT_COLUMNS);
}

/** After the rows: a blank line, 汇总 with its table, a blank line, 余额核对 with its table. */
export function csvSummary(summary: StatementSummary): string {
	return (
		'\n' +
		csvLine([SUMMARY_TITLE]) +
		csvLine(SUMMARY_COLUMNS) +
		directionCells(summary.groups).map((c) => csvLine(c)).join('') +
		'\n' +
		csvLine([RECONCILIATION_TITLE]) +
		csvLine(RECONCILIATION_COLUMNS) +
		reconciliationCells(summary.balances).map((c) => csvLine(c)).join('')
	);
}

/**
 * A COPY's row stream. Its error reaches whoever reads it; once they have stopped (the other
 * file of the build failed and the connection is being discarded), a late "connection
 * terminated" must not be an unhandled 'error' event.
 */
function rowsCopy(client: pg.PoolClient, text: string) {
	const copy = client.query(copyOut(text));
	copy.on('error', () => {});
	return copy;
}

/**
 * Streams the CSV (BOM, header, COPY rows, summary) of a day or a period into `sink`; resolves
 * with the row count. `onProgress` hears the rows streamed so far.
 */
export async function writeStatementCsv(
	client: pg.PoolClient,
	sink: Writable,
	merchantId: bigint,
	accountingDate: string | StatementPeriod,
	summary: StatementSummary | Promise<StatementSummary>,
	onProgress?: (rowsDone: number) => void
): Promise<number> {
	// No values to bind; the transaction still pins the server's quoting rules (exports/copy.ts).
	return inCopyTransaction(client, [], async () => {
		const copy = rowsCopy(client, `COPY (${statementRowsSql(merchantId, accountingDate, 'csv')}) TO STDOUT WITH (FORMAT csv)`);
		await pipeline(async function* () {
			yield Buffer.from(csvHead());
			yield* withRowProgress(copy, onProgress);
			yield Buffer.from(csvSummary(await summary));
		}, sink);
		return copy.rowCount ?? 0;
	});
}

const amountColumn = (i: number) => i === AMOUNT_COLUMN || i === FEE_COLUMN;
/** How column i's cell is written in the sheet, by SQL (SHEET_ROW_SQL) and by xlsx/sheet-lines.ts alike. */
const cellKind = (i: number): XlsxCellKind => (amountColumn(i) ? 'amount' : FREE_TEXT_COLUMNS.has(i) ? 'text' : 'plain');
/** The 对账单 sheet's columns and how each cell is written (numeric 0.00 amounts). */
const SHEET_COLUMNS = STATEMENT_COLUMNS.map((header, i) => ({ header, width: amountColumn(i) ? 12 : 20 }));
const SHEET_ROW_SQL = xlsxRowSql(STATEMENT_COLUMNS.map((_, i) => ({ name: `c${String(i + 1).padStart(2, '0')}`, kind: cellKind(i) })));
const sheetName = (i: number) => (i === 0 ? STATEMENT_SHEET : `${STATEMENT_SHEET} ${i + 1}`);

/** The zip entries carry the (first) accounting date as their time, so a rebuild gives the same bytes. */
function statementXlsx(sink: Writable, accountingDate: string | StatementPeriod): XlsxWriter {
	return new XlsxWriter(sink, { mtime: startOfBusinessDate(periodOf(accountingDate).from) });
}

/** The sheets after the rows: 汇总 and 余额核对, then the workbook's end. */
async function finishXlsx(xlsx: XlsxWriter, summary: StatementSummary | Promise<StatementSummary>): Promise<void> {
	const totals = await summary;
	await xlsx.addRows(
		SUMMARY_TITLE,
		SUMMARY_COLUMNS.map((header, i) => ({ header, width: i < 2 ? 16 : 14, amount: i === 3 })),
		// 笔数 as a number, amounts as numeric 0.00 cells
		directionCells(totals.groups).map((c) => c.map((x, i) => (i === 2 && x !== '' ? Number(x) : x)))
	);
	await xlsx.addRows(
		RECONCILIATION_TITLE,
		RECONCILIATION_COLUMNS.map((header, i) => ({ header, width: i === 0 ? 16 : 14, amount: i >= 1 && i <= 4 })),
		reconciliationCells(totals.balances)
	);
	await xlsx.finish();
}

/**
 * Streams the XLSX (sheet 对账单 with the rows, numeric 0.00 amounts; sheets 汇总 and 余额核对) of a
 * day or a period into `sink`.
 * Postgres writes the rows, COPY streams them into the zip. `onProgress` hears the rows written
 * so far.
 */
export async function writeStatementXlsx(
	client: pg.PoolClient,
	sink: Writable,
	merchantId: bigint,
	accountingDate: string | StatementPeriod,
	summary: StatementSummary | Promise<StatementSummary>,
	onProgress?: (rowsDone: number) => Promise<void>
): Promise<number> {
	const xlsx = statementXlsx(sink, accountingDate);
	const rowsSql = `SELECT ${SHEET_ROW_SQL} FROM (${statementRowsSql(merchantId, accountingDate, 'xlsx')}) s`;
	const done = await inCopyTransaction(client, [], () =>
		xlsx.addRowSheets(sheetName, SHEET_COLUMNS, rowsCopy(client, `COPY (${rowsSql}) TO STDOUT`), { onRows: onProgress })
	);
	await finishXlsx(xlsx, summary);
	return done;
}

/** The sheet cells' kinds and the CSV's identifier columns, for xlsx/sheet-lines.ts. */
const LINE_COLUMNS = STATEMENT_COLUMNS.map((_, i) => ({ kind: cellKind(i), identifier: IDENTIFIER_COLUMNS.has(i) }));

/**
 * Streams both files of a day or a period, the CSV into `csvSink` and the XLSX into `xlsxSink`,
 * from one COPY of the sheet cells: Postgres reads, formats and sorts the rows once, and
 * xlsx/sheet-lines.ts writes each record as the CSV line and the sheet row (the CSV's bytes are those of
 * writeStatementCsv). `onProgress` hears the rows written so far; resolves with the row count.
 */
export async function writeStatementFiles(
	client: pg.PoolClient,
	csvSink: Writable,
	xlsxSink: Writable,
	merchantId: bigint,
	accountingDate: string | StatementPeriod,
	summary: StatementSummary | Promise<StatementSummary>,
	onProgress?: (rowsDone: number) => Promise<void>
): Promise<number> {
	const xlsx = statementXlsx(xlsxSink, accountingDate);
	// The CSV sink's failure ends the wait for its drain; FileWriter's stream listens for its own errors.
	const csvFailed = new Promise<never>((_, reject) => csvSink.once('error', reject));
	csvFailed.catch(() => {});
	const toCsv = async (buf: Buffer) => {
		if (!csvSink.write(buf)) await Promise.race([once(csvSink, 'drain'), csvFailed]);
	};
	const done = await inCopyTransaction(client, [], async () => {
		const copy = rowsCopy(client, `COPY (${statementRowsSql(merchantId, accountingDate, 'xlsx')}) TO STDOUT WITH (FORMAT csv)`);
		await toCsv(Buffer.from(csvHead()));
		const lines = new SheetLines(LINE_COLUMNS);
		// The sheet rows drive the loop; each chunk's CSV lines are written before its sheet rows go on.
		const sheetRows = async function* () {
			for await (const chunk of copy) {
				const { csv, xml } = lines.next(chunk as Buffer);
				if (csv.length) await toCsv(csv);
				if (xml.length) yield xml;
			}
			lines.end();
		};
		return xlsx.addRowSheets(sheetName, SHEET_COLUMNS, sheetRows(), { onRows: onProgress });
	});
	const totals = await summary;
	await Promise.race([finished(csvSink.end(Buffer.from(csvSummary(totals)))), csvFailed]);
	await finishXlsx(xlsx, totals);
	return done;
}
