// The targets the bench judges against (issue 13), with the first ones (issue 7's, met before)
// kept for reading where they differ; PASS/FAIL is always against `target`. Every judged figure
// also goes into one summary, printed at the end of `npm run bench`.
import { printTable } from './table.ts';

export const TARGETS = {
	/** Stored CSV export rows/s as a share of `COPY (same query) TO STDOUT CSV` in the same run. */
	csvRatio: { target: 0.95, first: 0.8 },
	/** Stored XLSX (numeric 元 cells) rows/s as a share of the same COPY. */
	xlsxRatio: { target: 0.6, first: 0.06 },
	/** A stored file downloaded over HTTP with curl, MB/s. */
	downloadMBs: { target: 600, first: 300 },
	/** Peak RSS of the process building an export (the worker, or the bench's build process), MB. */
	rssMB: { target: 128, first: 256 },
	/** Every list case through HTTP, p95 ms. */
	listP95Ms: { target: 10, first: 25 },
	/** One day's statement, CSV + XLSX, ms. */
	statementMs: { target: 750, first: 3000 },
	/** Saturation: list requests/s reached with p95 still ≤ p95Ms. */
	throughput: { rps: 500, p95Ms: 100 }
} as const;

export interface Verdict {
	figure: string;
	measured: string;
	/** The figure over the interleaved runs (min–max, or p50 with min/max), or '' for one run. */
	spread: string;
	target: string;
	pass: boolean | null;
}

const summary: Verdict[] = [];

/** Records a judged figure for the final summary; returns 1 when it failed (to count failures). */
export function judged(v: Verdict): number {
	summary.push(v);
	return v.pass === false ? 1 : 0;
}

/** "a–b" of numbers formatted by `fmt` (one value alone when all agree). */
export function spreadOf(values: number[], fmt: (n: number) => string): string {
	if (values.length < 2) return '';
	const lo = Math.min(...values);
	const hi = Math.max(...values);
	return `${fmt(lo)}–${fmt(hi)} over ${values.length} runs`;
}

export const verdict = (pass: boolean | null) => (pass === null ? '' : pass ? 'PASS' : 'FAIL');

/** Every judged figure of this run in one table, and the count of FAILs. */
export function printSummary(): number {
	const judgedRows = summary.filter((v) => v.pass !== null);
	const failed = judgedRows.filter((v) => v.pass === false).length;
	console.log('\nissue 13 targets, this run:');
	printTable(
		['figure', 'measured', 'spread of runs', 'target', ''],
		summary.map((v) => [v.figure, v.measured, v.spread, v.target, verdict(v.pass)])
	);
	console.log(failed === 0 ? `all ${judgedRows.length} judged figures PASS` : `${failed} of ${judgedRows.length} judged figures FAIL`);
	return failed;
}
