// The two file formats the product writes (statements, exports).

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Starts every CSV: without it Excel reads UTF-8 Chinese as mojibake. */
export const CSV_BOM = '\uFEFF';

/** One CSV line of our own cells (headers, labels, totals), quoted where needed. Rows come from COPY. */
export function csvLine(cells: readonly string[]): string {
	return cells.map((c) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';
}
