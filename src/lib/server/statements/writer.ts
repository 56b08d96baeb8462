// The two files of a statement. Postgres formats every cell and COPY streams it: straight into
// chunk storage for the CSV, as ready-made sheet rows into the zip for the XLSX.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { formatYuan } from '#shared/money.ts';
import { startOfBusinessDate } from '#shared/time.ts';
import { inCopyTransaction } from '../exports/copy.ts';
import { CSV_BOM, csvLine } from '../files/index.ts';
import { XlsxWriter, xlsxRowsSql } from '../xlsx/index.ts';
import { AMOUNT_COLUMN, FEE_COLUMN, FREE_TEXT_COLUMNS, STATEMENT_COLUMNS, STATEMENT_SHEET, SUMMARY_COLUMNS, SUMMARY_TITLE, SUMMARY_TOTAL } from './layout.ts';
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

export function csvHead(): string {
	return CSV_BOM + csvLine(STATEMENT_COLUMNS);
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
	// No values to bind; the transaction still pins the server's quoting rules (exports/copy.ts).
	return inCopyTransaction(client, [], async () => {
		const copy = client.query(copyTo(`COPY (${statementRowsSql(merchantId, accountingDate, 'csv')}) TO STDOUT WITH (FORMAT csv)`));
		await pipeline(async function* () {
			yield Buffer.from(csvHead());
			for await (const chunk of copy) yield chunk as Buffer;
			yield Buffer.from(csvSummary(summary));
		}, sink);
		return copy.rowCount ?? 0;
	});
}

/**
 * Streams the XLSX (sheet 对账单 with the rows, numeric 0.00 amounts; sheet 汇总) into `sink`.
 * Postgres writes the rows, COPY streams them into the zip. `onProgress` hears the rows written
 * so far. The zip entries carry the accounting date as their time, so a rebuild gives the same bytes.
 */
export async function writeStatementXlsx(
	client: pg.PoolClient,
	sink: Writable,
	merchantId: bigint,
	accountingDate: string,
	summary: SummaryRow[],
	onProgress?: (rowsDone: number) => Promise<void>
): Promise<number> {
	const xlsx = new XlsxWriter(sink, { mtime: startOfBusinessDate(accountingDate) });
	const amount = (i: number) => i === AMOUNT_COLUMN || i === FEE_COLUMN;
	const rowsSql = xlsxRowsSql(
		statementRowsSql(merchantId, accountingDate, 'xlsx'),
		STATEMENT_COLUMNS.map((_, i) => ({
			name: `c${String(i + 1).padStart(2, '0')}`,
			kind: amount(i) ? 'amount' : FREE_TEXT_COLUMNS.has(i) ? 'text' : 'plain'
		}))
	);
	const done = await inCopyTransaction(client, [], () =>
		xlsx.addRowSheets(
			(i) => (i === 0 ? STATEMENT_SHEET : `${STATEMENT_SHEET} ${i + 1}`),
			STATEMENT_COLUMNS.map((header, i) => ({ header, width: amount(i) ? 12 : 20 })),
			client.query(copyTo(`COPY (${rowsSql}) TO STDOUT`)),
			{ onRows: onProgress }
		)
	);

	const totals = totalsOf(summary);
	await xlsx.addRows(
		SUMMARY_TITLE,
		SUMMARY_COLUMNS.map((header, i) => ({ header, width: i < 2 ? 16 : 14, amount: i >= 3 })),
		[
			...summary.map((r) => [r.txnType, r.status, Number(r.rows), formatYuan(r.amount), formatYuan(r.fee)]),
			[SUMMARY_TOTAL, '', Number(totals.rows), formatYuan(totals.amount), formatYuan(totals.fee)]
		]
	);
	await xlsx.finish();
	return done;
}
