// The query engine behind every list: the rows of one page and the total of everything the
// filter matches, without a query whose time grows with the page number.
//
// - Totals: when the filter only uses what a rollup is keyed by (type, status, account,
//   direction, time), whole days and hours come from the rollup tables and only the partial
//   hours at the edges are summed directly; other filters are selective and summed directly.
// - Pages: the same per-bucket counts say which day (then which hour) holds row `skip`; the
//   OFFSET then only walks inside that hour, on the index, and the page is read by keyset from
//   there. Selective filters match few rows, so plain OFFSET over them is fine.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '#db/types.ts';
import type { TimeRange } from '#shared/schemas/lists.ts';
import { executePrepared } from '../prepared.ts';
import { locate, segmentsOf, type Bucket } from './buckets.ts';

type AnyDb = Kysely<DB>;

export interface RollupSource {
	/** 'order': order_rollup_{days,hours}; 'flow': flow_rollup_{days,hours}. */
	table: 'order' | 'flow';
	/** Condition on the rollup's columns (merchant scope included). */
	where: RawBuilder<unknown>;
}

export interface ListSource {
	table: 'payments' | 'refunds' | 'withdrawals' | 'fund_flows' | 'users' | 'roles' | 'staff' | 'audit_log' | 'payment_keys' | 'exports';
	timeColumn: 'created_at' | 'registered_at';
	/** Condition on the table's columns: the merchant scope and every filter except the time range. */
	where: RawBuilder<unknown>;
	/** Summed into total.amount; null for lists without money. */
	amountColumn: 'amount' | null;
	/**
	 * Ledger entries move money both ways: their total is split into credits (入账) and debits
	 * (出账) by this column, since one sum of both would mean nothing.
	 */
	directionColumn?: 'direction';
	/** Set when the filter can be answered from a rollup. */
	rollup: RollupSource | null;
}

interface ListResult<R> {
	rows: R[];
	count: bigint;
	amount: bigint | null;
	/** With a directionColumn: the credits' and the debits' sums. */
	credit?: bigint;
	debit?: bigint;
}

/** `sum(amount)` and, with a direction, the credits' and debits' sums, as bigint columns. */
function sums(amountColumn: 'amount' | null, directionColumn: 'direction' | undefined): RawBuilder<unknown> {
	const a = amountColumn ? sql.ref(amountColumn) : null;
	const total = a ? sql`coalesce(sum(${a}), 0)::bigint AS amount` : sql`0::bigint AS amount`;
	if (!a || !directionColumn) return total;
	const d = sql.ref(directionColumn);
	return sql`${total},
		coalesce(sum(${a}) FILTER (WHERE ${d} = 'CREDIT'), 0)::bigint AS credit,
		coalesce(sum(${a}) FILTER (WHERE ${d} = 'DEBIT'), 0)::bigint AS debit`;
}

/** Whether the source's totals carry credit and debit columns. */
function split(src: ListSource): boolean {
	return !!src.amountColumn && !!src.directionColumn;
}

const FAR_PAST = new Date(Date.UTC(1970, 0, 1));

/** One page of `select` columns from `src`, newest first, and the total of the filter. */
export async function runList<R>(
	db: AnyDb,
	src: ListSource,
	range: TimeRange | null,
	page: number,
	pageSize: number,
	select: RawBuilder<unknown>
): Promise<ListResult<R>> {
	const skip = BigInt(page - 1) * BigInt(pageSize);
	if (!src.rollup || !range) return direct<R>(db, src, range, skip, pageSize, select);

	// The first page does not need the counts to know where it starts: page and total in one query.
	if (page === 1) return pageWithTotals<R>(db, src, bucketsQuery(src, src.rollup, range), keysetPageQuery(src, range, null, pageSize, keyed(src, select)));

	const buckets = await bucketCounts(db, src, src.rollup, range);
	let count = 0n;
	let amount = 0n;
	let credit = 0n;
	let debit = 0n;
	for (const b of buckets) {
		count += b.count;
		amount += b.amount;
		credit += b.credit ?? 0n;
		debit += b.debit ?? 0n;
	}
	const total = { count, amount: src.amountColumn ? amount : null, ...(src.directionColumn ? { credit, debit } : {}) };
	if (skip >= count) return { rows: [], ...total };

	// Newest first; inside a day, narrow to its hour from the hourly rollup.
	const newestFirst = [...buckets].reverse();
	let spot = locate(newestFirst, skip)!;
	if (spot.bucket.kind === 'day') {
		const hours = await rollupBuckets(db, src.rollup, 'hour', spot.bucket.from, spot.bucket.to);
		const inner = locate([...hours].reverse(), spot.within);
		// The rollups are exact, so the hour is always there; fall back to the day if not.
		if (inner) spot = inner;
	}
	const anchor = anchorQuery(src, spot.bucket, spot.within);
	const rows = await executePrepared(db, keysetPageQuery(src, range, anchor, pageSize, select));
	return { rows: rows as R[], ...total };
}

/**
 * How many rows the filter selects over the range: summed from the exact rollups where the
 * filter has one (a few ms on millions of rows), else counted. An export request asks this
 * for its progress total; a count(*) over a month of a big merchant took seconds of both cores.
 */
export async function countList(db: AnyDb, src: ListSource, range: TimeRange | null): Promise<bigint> {
	if (src.rollup && range) return (await bucketCounts(db, src, src.rollup, range)).reduce((n, b) => n + b.count, 0n);
	const t = sql.ref(src.timeColumn);
	const inRange = range ? sql`${t} >= ${range.from} AND ${t} < ${range.to}` : sql`${t} >= ${FAR_PAST}`;
	const r = await sql<{ n: bigint }>`SELECT count(*)::int8 AS n FROM ${sql.table(src.table)} WHERE ${src.where} AND ${inRange}`.execute(db);
	return r.rows[0].n;
}

/** The filter's counts per bucket over the range, oldest first, empty buckets left out. */
async function bucketCounts(db: AnyDb, src: ListSource, rollup: RollupSource, range: TimeRange): Promise<Bucket[]> {
	const rows = await executePrepared(
		db,
		sql<{ kind: Bucket['kind']; bucket: Date; upto: Date; count: bigint; amount: bigint; credit?: bigint; debit?: bigint }>`
			SELECT * FROM (${bucketsQuery(src, rollup, range)}) b ORDER BY bucket`
	);
	return rows.map((row) => ({
		kind: row.kind,
		from: row.bucket,
		to: row.upto,
		count: row.count,
		amount: row.amount,
		...(split(src) ? { credit: row.credit, debit: row.debit } : {})
	}));
}

/**
 * Every segment of the range as one UNION ALL (one round trip instead of one per segment):
 * rows of kind, bucket, upto (exclusive end), count, amount and, with a direction, credit and
 * debit; empty buckets left out.
 */
function bucketsQuery(src: ListSource, rollup: RollupSource, range: TimeRange): RawBuilder<unknown> {
	const t = sql.ref(src.timeColumn);
	const parts = segmentsOf(range.from, range.to).map((s) => {
		if (s.kind === 'raw')
			return sql`SELECT 'raw'::text AS kind, ${s.from}::timestamptz AS bucket, ${s.to}::timestamptz AS upto, count(*)::bigint AS count, ${sums(src.amountColumn, src.directionColumn)}
				  FROM ${sql.table(src.table)}
				 WHERE ${src.where} AND ${t} >= ${s.from} AND ${t} < ${s.to}
				HAVING count(*) <> 0`;
		const table = `${rollup.table}_rollup_${s.kind === 'day' ? 'days' : 'hours'}`;
		// A Shanghai day is always 24 h (no daylight saving), so bucket + its length is its end.
		const length = s.kind === 'day' ? sql`interval '24 hours'` : sql`interval '1 hour'`;
		const directions = split(src)
			? sql`, coalesce(sum(amount) FILTER (WHERE direction = 'CREDIT'), 0)::bigint AS credit, coalesce(sum(amount) FILTER (WHERE direction = 'DEBIT'), 0)::bigint AS debit`
			: sql``;
		return sql`SELECT ${sql.lit(s.kind)}::text AS kind, bucket, bucket + ${length} AS upto, sum(count)::bigint AS count, sum(amount)::bigint AS amount ${directions}
			  FROM ${sql.table(table)}
			 WHERE ${rollup.where} AND bucket >= ${s.from} AND bucket < ${s.to}
			 GROUP BY bucket
			HAVING sum(count) <> 0`;
	});
	return sql.join(parts, sql` UNION ALL `);
}

async function rollupBuckets(db: AnyDb, rollup: RollupSource, kind: 'day' | 'hour', from: Date, to: Date): Promise<Bucket[]> {
	const table = `${rollup.table}_rollup_${kind === 'day' ? 'days' : 'hours'}`;
	const step = kind === 'day' ? 86_400_000 : 3_600_000;
	const rows = await executePrepared(db, sql<{ bucket: Date; count: bigint; amount: bigint }>`
		SELECT bucket, sum(count)::bigint AS count, sum(amount)::bigint AS amount
		  FROM ${sql.table(table)}
		 WHERE ${rollup.where} AND bucket >= ${from} AND bucket < ${to}
		 GROUP BY bucket
		HAVING sum(count) <> 0
		 ORDER BY bucket`);
	// A Shanghai day is always 24 h (no daylight saving), so bucket + step is its end.
	return rows.map((row) => ({ kind, from: row.bucket, to: new Date(row.bucket.getTime() + step), count: row.count, amount: row.amount }));
}

/**
 * The (time, id) of row `within` (0-based, newest first) inside one bucket, as a subquery, so
 * the keyset compares in the database at full microsecond precision. From whichever end of the
 * bucket is nearer, so the last page costs what the first does.
 */
function anchorQuery(src: ListSource, bucket: Bucket, within: bigint): RawBuilder<unknown> {
	const t = sql.ref(src.timeColumn);
	const fromOldest = within * 2n > bucket.count;
	const offset = fromOldest ? bucket.count - 1n - within : within;
	const dir = fromOldest ? sql`ASC` : sql`DESC`;
	return sql`(SELECT ${t}, id FROM ${sql.table(src.table)}
		 WHERE ${src.where} AND ${t} >= ${bucket.from} AND ${t} < ${bucket.to}
		 ORDER BY ${t} ${dir}, id ${dir} OFFSET ${offset} LIMIT 1)`;
}

/** The page starting at `anchor` (inclusive) or at the newest row of the range. */
function keysetPageQuery(src: ListSource, range: TimeRange, anchor: RawBuilder<unknown> | null, pageSize: number, select: RawBuilder<unknown>): RawBuilder<unknown> {
	const t = sql.ref(src.timeColumn);
	const start = anchor ? sql`(${t}, id) <= ${anchor}` : sql`TRUE`;
	return sql`
		SELECT ${select} FROM ${sql.table(src.table)}
		 WHERE ${src.where} AND ${t} >= ${range.from} AND ${t} < ${range.to} AND ${start}
		 ORDER BY ${t} DESC, id DESC
		 LIMIT ${pageSize}`;
}

/** Selective filters (or no time range): direct count and sum, OFFSET paging. */
function direct<R>(db: AnyDb, src: ListSource, range: TimeRange | null, skip: bigint, pageSize: number, select: RawBuilder<unknown>): Promise<ListResult<R>> {
	const t = sql.ref(src.timeColumn);
	const inRange = range ? sql`${t} >= ${range.from} AND ${t} < ${range.to}` : sql`${t} >= ${FAR_PAST}`;
	return pageWithTotals<R>(
		db,
		src,
		sql`SELECT count(*)::bigint AS count, ${sums(src.amountColumn, src.directionColumn)} FROM ${sql.table(src.table)} WHERE ${src.where} AND ${inRange}`,
		sql`
			SELECT ${keyed(src, select)} FROM ${sql.table(src.table)}
			 WHERE ${src.where} AND ${inRange}
			 ORDER BY ${t} DESC, id DESC
			 OFFSET ${skip} LIMIT ${pageSize}`
	);
}

/** `select` and the page's order keys, which pageWithTotals orders by again (and leaves out). */
function keyed(src: ListSource, select: RawBuilder<unknown>): RawBuilder<unknown> {
	return sql`${select}, ${sql.ref(src.timeColumn)} AS _page_time, id AS _page_id`;
}

/** What pageWithTotals adds to a page's rows; no list selects columns of these names. */
interface Added {
	_page_time: unknown;
	_page_id: bigint | null;
	_total_count: bigint;
	_total_amount: bigint;
	_total_credit?: bigint;
	_total_debit?: bigint;
}

/**
 * A page and its totals in one statement, one round trip instead of two: `totals` (rows of
 * count, amount[, credit, debit]) summed into one row and joined to every row of `page` (made
 * with `keyed`), or alone when the page is empty. The page's order is said again outside,
 * since a join keeps none by itself.
 */
async function pageWithTotals<R>(db: AnyDb, src: ListSource, totals: RawBuilder<unknown>, page: RawBuilder<unknown>): Promise<ListResult<R>> {
	const directions = split(src) ? sql`, coalesce(sum(credit), 0)::bigint AS _total_credit, coalesce(sum(debit), 0)::bigint AS _total_debit` : sql``;
	const combined = await executePrepared(db, sql<Added & Record<string, unknown>>`
		SELECT p.*, s.*
		  FROM (SELECT coalesce(sum(count), 0)::bigint AS _total_count, coalesce(sum(amount), 0)::bigint AS _total_amount ${directions} FROM (${totals}) t) s
		  LEFT JOIN (${page}) p ON true
		 ORDER BY p._page_time DESC, p._page_id DESC`);
	const s = combined[0];
	const rows: R[] = [];
	for (const row of combined) {
		if (row._page_id === null) continue;
		const { _page_time, _page_id, _total_count, _total_amount, _total_credit, _total_debit, ...own } = row;
		rows.push(own as R);
	}
	return {
		rows,
		count: s._total_count,
		amount: src.amountColumn ? s._total_amount : null,
		...(src.directionColumn ? { credit: s._total_credit ?? 0n, debit: s._total_debit ?? 0n } : {})
	};
}

/** AND of conditions; TRUE for none. */
export function and(conds: RawBuilder<unknown>[]): RawBuilder<unknown> {
	if (conds.length === 0) return sql`TRUE`;
	return sql.join(conds.map((c) => sql`(${c})`), sql` AND `);
}
