// The query engine behind every list: the rows of one page and the total of everything the
// filter matches, without a query whose time grows with the page number.
//
// - Totals: when the filter only uses what a rollup is keyed by (type, status, account,
//   direction, time), whole days and hours come from the rollup tables and only the partial
//   hours at the edges are summed directly; other filters are selective and summed directly.
// - Pages: the same per-bucket counts say which day (then which hour) holds row `skip`; the
//   OFFSET then only walks inside that hour, on the index, and the page is read by keyset from
//   there. Selective filters match few rows, so plain OFFSET over them is fine.
// - Round trips: a page and its totals are one statement (the bucket walk in SQL), prepared
//   (../prepared.ts), so a list request is the session lookup and this one query.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '#db/types.ts';
import type { TimeRange } from '#shared/schemas/lists.ts';
import { executePrepared } from '../prepared.ts';
import { segmentsOf } from './buckets.ts';

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

	// The first page does not need the counts to know where it starts.
	if (page === 1) return pageWithTotals<R>(db, src, null, bucketsQuery(src, src.rollup, range), keysetPageQuery(src, range, null, pageSize, keyed(src, select)));
	return pageWithTotals<R>(db, src, locateQuery(src, src.rollup, range, skip), sql`SELECT * FROM b`, keysetPageQuery(src, range, sql`(SELECT at, id FROM anchor)`, pageSize, keyed(src, select)));
}

/**
 * Where row `skip` (0-based, newest first) is, as CTEs for one statement with the page: `b` the
 * range's buckets, `spot` the bucket holding the row, `spot2` its hour from the hourly rollup
 * when that bucket is a day, `anchor` the row's (time, id). The OFFSET then only walks inside
 * one hour, on the index, from whichever end of it is nearer, so the last page costs what the
 * first does. `anchor` is empty when `skip` is past the end.
 */
function locateQuery(src: ListSource, rollup: RollupSource, range: TimeRange, skip: bigint): RawBuilder<unknown> {
	const t = sql.ref(src.timeColumn);
	const table = sql.table(src.table);
	const hours = sql.table(`${rollup.table}_rollup_hours`);
	const at = sql`${skip}::bigint`;
	return sql`
		b AS (${bucketsQuery(src, rollup, range)}),
		n AS (SELECT kind, bucket, upto, count, sum(count) OVER (ORDER BY bucket DESC) - count AS before FROM b),
		spot AS (SELECT kind, bucket, upto, count, ${at} - before AS within FROM n WHERE before <= ${at} AND ${at} < before + count),
		h AS (SELECT bucket, sum(count)::bigint AS count FROM ${hours}
		       WHERE ${rollup.where} AND bucket >= (SELECT bucket FROM spot WHERE kind = 'day') AND bucket < (SELECT upto FROM spot WHERE kind = 'day')
		       GROUP BY bucket HAVING sum(count) <> 0),
		hn AS (SELECT bucket, count, sum(count) OVER (ORDER BY bucket DESC) - count AS before FROM h),
		inner_spot AS (SELECT hn.bucket, hn.bucket + interval '1 hour' AS upto, hn.count, spot.within - hn.before AS within
		                 FROM hn, spot WHERE hn.before <= spot.within AND spot.within < hn.before + hn.count),
		-- The rollups are exact, so a day's hour is always there; the day itself if not.
		spot2 AS (SELECT bucket, upto, count, within FROM inner_spot
		          UNION ALL SELECT bucket, upto, count, within FROM spot WHERE NOT EXISTS (SELECT FROM inner_spot)),
		anchor AS (
		  (SELECT ${t} AS at, id FROM ${table}
		    WHERE ${src.where} AND ${t} >= (SELECT bucket FROM spot2) AND ${t} < (SELECT upto FROM spot2) AND (SELECT within * 2 <= count FROM spot2)
		    ORDER BY ${t} DESC, id DESC OFFSET (SELECT within FROM spot2) LIMIT 1)
		  UNION ALL
		  (SELECT ${t} AS at, id FROM ${table}
		    WHERE ${src.where} AND ${t} >= (SELECT bucket FROM spot2) AND ${t} < (SELECT upto FROM spot2) AND (SELECT within * 2 > count FROM spot2)
		    ORDER BY ${t} ASC, id ASC OFFSET (SELECT count - 1 - within FROM spot2) LIMIT 1))`;
}

/**
 * How many rows the filter selects over the range: summed from the exact rollups where the
 * filter has one (a few ms on millions of rows), else counted. An export request asks this
 * for its progress total; a count(*) over a month of a big merchant took seconds of both cores.
 */
export async function countList(db: AnyDb, src: ListSource, range: TimeRange | null): Promise<bigint> {
	if (src.rollup && range) {
		const [r] = await executePrepared(db, sql<{ n: bigint }>`SELECT coalesce(sum(count), 0)::bigint AS n FROM (${bucketsQuery(src, src.rollup, range)}) b`);
		return r.n;
	}
	const t = sql.ref(src.timeColumn);
	const inRange = range ? sql`${t} >= ${range.from} AND ${t} < ${range.to}` : sql`${t} >= ${FAR_PAST}`;
	const r = await sql<{ n: bigint }>`SELECT count(*)::int8 AS n FROM ${sql.table(src.table)} WHERE ${src.where} AND ${inRange}`.execute(db);
	return r.rows[0].n;
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
		null,
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
async function pageWithTotals<R>(
	db: AnyDb,
	src: ListSource,
	ctes: RawBuilder<unknown> | null,
	totals: RawBuilder<unknown>,
	page: RawBuilder<unknown>
): Promise<ListResult<R>> {
	const directions = split(src) ? sql`, coalesce(sum(credit), 0)::bigint AS _total_credit, coalesce(sum(debit), 0)::bigint AS _total_debit` : sql``;
	const combined = await executePrepared(db, sql<Added & Record<string, unknown>>`
		${ctes ? sql`WITH ${ctes}` : sql``}
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
