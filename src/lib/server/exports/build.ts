// Builds one export (the 'exports.build' job). The exports row is the truth: a build claims it
// with a lease so two workers never build the same export at once; the file becomes complete
// and the row READY in one transaction, so a killed build leaves nothing visible.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { Db } from '#db';
import { translate } from '#shared/i18n/messages.ts';
import { STATEMENT_RANGE_EXPORT } from '#shared/schemas/statements.ts';
import { businessDate } from '#shared/time.ts';
import { CSV_BOM, CSV_TYPE, csvLine, getFilePool, openFileWriter, XLSX_TYPE, type FileWriter } from '../files/index.ts';
import { runLeasedBuild, type BuildOptions, type LeasedBuildOutcome } from '../leased-build.ts';
import { buildStatementRange } from '../statements/range-build.ts';
import { SheetLines, XlsxWriter, type XlsxCellKind } from '../xlsx/index.ts';
import { copyOut, withRowProgress } from '../copy-out.ts';
import { inCopyTransaction } from './copy.ts';
import { completeExport } from './expiry.ts';
import { exportSelectSql, onlyIds, type CopySelect } from './query.ts';
import { chosenColumns, EXPORT_SPECS, headerOf, isExportList, type ExportColumn } from './specs.ts';

export const EXPORT_LEASE_MS = Number(process.env.EXPORT_LEASE_MS ?? 30_000);

type ExportBuildOutcome = LeasedBuildOutcome<{ rows: number; fileId: bigint }>;

function exportFileName(list: string, id: bigint, ext: 'csv' | 'xlsx', now = new Date()): string {
	return `${translate('zh-CN', `exports.list.${list}`)}_${businessDate(now)}_${id}.${ext}`;
}

export async function buildExport(
	db: Db,
	exportId: bigint,
	opts: BuildOptions = {}
): Promise<ExportBuildOutcome> {
	const leaseOpts = { ...opts, leaseMs: opts.leaseMs ?? EXPORT_LEASE_MS, what: 'export' };
	return runLeasedBuild(db, 'exports', exportId, leaseOpts, async (claimed, lease) => {
		// A range statement is an export kind with its own file (statements/range-build.ts).
		if (claimed.list_key === STATEMENT_RANGE_EXPORT) return buildStatementRange(db, claimed, lease);
		let writer: FileWriter | undefined;
		let client: pg.PoolClient | undefined;
		let failure: Error | undefined;
		try {
			if (!isExportList(claimed.list_key)) throw new Error(`unknown list ${claimed.list_key}`);
			const spec = EXPORT_SPECS[claimed.list_key];
			const filter = spec.filter.parse(claimed.filter);
			const resolved = await spec.resolve(db, claimed.merchant_id, filter, { staffId: claimed.staff_id });
			const source = resolved.source && onlyIds(resolved.source, claimed.selected_ids);
			const range = resolved.range;
			const columns = chosenColumns(claimed.list_key, claimed.columns);
			const ext = claimed.format === 'CSV' ? 'csv' : 'xlsx';
			writer = await openFileWriter(db, {
				merchantId: claimed.merchant_id,
				name: exportFileName(claimed.list_key, exportId, ext),
				contentType: claimed.format === 'CSV' ? CSV_TYPE : XLSX_TYPE
			});
			client = await getFilePool().connect();
			const progress = lease.progress;
			const title = translate('zh-CN', `exports.list.${claimed.list_key}`);
			// The filter's values are bound, never in the SQL text (exports/copy.ts).
			const select = source ? exportSelectSql(db, source, range, columns, ext) : null;
			const rows =
				claimed.format === 'CSV'
					? await writeCsv(client, writer.stream, select, columns, progress)
					: await writeXlsx(client, writer.stream, title, select, columns, progress);
			return await completeExport(lease, writer, rows);
		} catch (err) {
			failure = err instanceof Error ? err : new Error(String(err));
			await writer?.abort().catch(() => {});
			throw err;
		} finally {
			// A COPY or cursor cut off by an error leaves the connection unusable: discard it then.
			client?.release(failure);
		}
	});
}

/** BOM + header, then Postgres's own CSV of the rows, streamed straight into the file. */
async function writeCsv(
	client: pg.PoolClient,
	sink: Writable,
	select: CopySelect | null,
	columns: readonly ExportColumn[],
	progress: (done: number) => void
): Promise<number> {
	const head = Buffer.from(CSV_BOM + csvLine(columns.map(headerOf)));
	if (!select) {
		await pipeline(async function* () {
			yield head;
		}, sink);
		return 0;
	}
	return inCopyTransaction(client, select.values, async () => {
		const copy = client.query(copyOut(`COPY (${select.sql}) TO STDOUT WITH (FORMAT csv)`));
		await pipeline(async function* () {
			yield head;
			yield* withRowProgress(copy, progress);
		}, sink);
		return copy.rowCount;
	});
}

const xlsxKind = (c: ExportColumn): XlsxCellKind =>
	c.kind === 'money' ? 'amount' : c.kind === 'time' || c.kind === 'date' || c.kind === 'enum' ? 'plain' : 'text';

/**
 * Postgres formats the cells (元 amounts in 0.00) and COPY streams them as CSV; SheetLines writes
 * each record as its sheet row (numeric 元 cells) on this process's core, into the zip. Postgres
 * writing the row XML itself (rows-sql.ts) kept the COPY's one core busy ~1.5 times as long.
 */
async function writeXlsx(
	client: pg.PoolClient,
	sink: Writable,
	title: string,
	select: CopySelect | null,
	columns: readonly ExportColumn[],
	progress: (done: number) => void
): Promise<number> {
	const xlsx = new XlsxWriter(sink);
	const sheetColumns = columns.map((c) => ({ header: headerOf(c), width: c.kind === 'money' ? 14 : 22 }));
	const sheets = (lines: AsyncIterable<Buffer>) =>
		xlsx.addRowSheets((i) => (i === 0 ? title : `${title} ${i + 1}`), sheetColumns, lines, {
			onRows: async (done) => progress(done)
		});
	const sheetLines = async function* (s: CopySelect): AsyncGenerator<Buffer> {
		const lines = new SheetLines(columns.map((c) => ({ kind: xlsxKind(c), identifier: false })), { csv: false });
		for await (const chunk of client.query(copyOut(`COPY (${s.sql}) TO STDOUT WITH (FORMAT csv)`))) {
			// The writer copies the lines before it asks for more: the buffer is used again.
			const { xml } = lines.next(chunk as Buffer);
			if (xml.length) yield xml;
		}
		lines.end();
	};
	const rows = select
		? await inCopyTransaction(client, select.values, () => sheets(sheetLines(select)))
		: await sheets((async function* () {})());
	await xlsx.finish();
	return rows;
}
