/** A Markdown table, padded for reading in a terminal (and pasting into an issue note). */
export function printTable(head: string[], rows: string[][]): void {
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (r: string[]) => `| ${r.map((x, i) => (x ?? '').padEnd(widths[i])).join(' | ')} |`;
	console.log(line(head));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const r of rows) console.log(line(r));
}
