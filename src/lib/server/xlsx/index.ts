export { columnLetters, SHEET_ROWS, xlsxRowSql, xlsxRowsSql, type XlsxCellKind } from './rows-sql.ts';
export { escapeXml, XlsxWriter, type XlsxColumn, type XlsxOptions } from './writer.ts';
export { SheetLines, type SheetLineColumn } from './sheet-lines.ts';
