// Spreadsheet cells as SQL, for exports and statements alike: Postgres formats every cell
// (元 from fen, Asia/Shanghai times, Chinese labels, formula neutralising) so COPY streams the
// file out at full speed. Only values we made ourselves are inlined (COPY takes no parameters).
// Relative imports only: the jobs run this under plain Node.
import { BUSINESS_TZ } from '../time.ts';

/** A text literal. */
export function sqlLiteral(text: string): string {
	return `'${text.replace(/'/g, "''")}'`;
}

/** A cell a spreadsheet would run as a formula (= + - @ tab CR) gets a leading apostrophe. */
export function neutralisedSql(expr: string): string {
	return `CASE WHEN left(${expr}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${expr} ELSE ${expr} END`;
}

/** 1242 fen → '12.42' (exact: numeric, never float). */
export function yuanSql(expr: string): string {
	return `to_char((${expr})::numeric / 100, 'FM9999999999999990.00')`;
}

/** An instant as Asia/Shanghai 'YYYY-MM-DD HH24:MI:SS' (or only the date). */
export function shanghaiTimeSql(expr: string, format: 'datetime' | 'date' = 'datetime'): string {
	return `to_char((${expr}) AT TIME ZONE '${BUSINESS_TZ}', '${format === 'date' ? 'YYYY-MM-DD' : 'YYYY-MM-DD HH24:MI:SS'}')`;
}

/** A code as its label; a code without one is written as it is. */
export function labelledSql(expr: string, labels: Record<string, string>): string {
	const whens = Object.entries(labels).map(([k, v]) => `WHEN ${sqlLiteral(k)} THEN ${sqlLiteral(v)}`);
	return `CASE ${expr} ${whens.join(' ')} ELSE ${expr} END`;
}
