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

	const first = page === 1;
	// The first page does not need the counts to know where it starts: run both at once.
	const [buckets, firstRows] = await Promise.all([
		bucketCounts(db, src, src.rollup, range),
		first ? keysetPage<R>(db, src, range, null, pageSize, select) : Promise.resolve(null)
	]);
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
	if (firstRows) return { rows: firstRows, ...total };
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
	const rows = await keysetPage<R>(db, src, range, anchor, pageSize, select);
	return { rows, ...total };
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
	const segments = segmentsOf(range.from, range.to);
	const parts = await Promise.all(
		segments.map((s) =>
			s.kind === 'raw'
				? rawBucket(db, src, s.from, s.to).then((b) => (b.count > 0n ? [b] : []))
				: rollupBuckets(db, rollup, s.kind, s.from, s.to, src.directionColumn)
		)
	);
	return parts.flat();
}

async function rawBucket(db: AnyDb, src: ListSource, from: Date, to: Date): Promise<Bucket> {
	const t = sql.ref(src.timeColumn);
	const r = await sql<{ count: bigint; amount: bigint; credit?: bigint; debit?: bigint }>`
		SELECT count(*)::bigint AS count, ${sums(src.amountColumn, src.directionColumn)}
		  FROM ${sql.table(src.table)}
		 WHERE ${src.where} AND ${t} >= ${from} AND ${t} < ${to}`.execute(db);
	return { kind: 'raw', from, to, ...r.rows[0] };
}

async function rollupBuckets(
	db: AnyDb,
	rollup: RollupSource,
	kind: 'day' | 'hour',
	from: Date,
	to: Date,
	directionColumn?: 'direction'
): Promise<Bucket[]> {
	const table = `${rollup.table}_rollup_${kind === 'day' ? 'days' : 'hours'}`;
	const step = kind === 'day' ? 86_400_000 : 3_600_000;
	const split = directionColumn
		? sql`, sum(amount) FILTER (WHERE direction = 'CREDIT')::bigint AS credit, sum(amount) FILTER (WHERE direction = 'DEBIT')::bigint AS debit`
		: sql``;
	const r = await sql<{ bucket: Date; count: bigint; amount: bigint; credit?: bigint | null; debit?: bigint | null }>`
		SELECT bucket, sum(count)::bigint AS count, sum(amount)::bigint AS amount ${split}
		  FROM ${sql.table(table)}
		 WHERE ${rollup.where} AND bucket >= ${from} AND bucket < ${to}
		 GROUP BY bucket
		HAVING sum(count) <> 0
		 ORDER BY bucket`.execute(db);
	// A Shanghai day is always 24 h (no daylight saving), so bucket + step is its end.
	return r.rows.map((row) => ({
		kind,
		from: row.bucket,
		to: new Date(row.bucket.getTime() + step),
		count: row.count,
		amount: row.amount,
		...(directionColumn ? { credit: row.credit ?? 0n, debit: row.debit ?? 0n } : {})
	}));
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
async function keysetPage<R>(
	db: AnyDb,
	src: ListSource,
	range: TimeRange,
	anchor: RawBuilder<unknown> | null,
	pageSize: number,
	select: RawBuilder<unknown>
): Promise<R[]> {
	const t = sql.ref(src.timeColumn);
	const start = anchor ? sql`(${t}, id) <= ${anchor}` : sql`TRUE`;
	const r = await sql<R>`
		SELECT ${select} FROM ${sql.table(src.table)}
		 WHERE ${src.where} AND ${t} >= ${range.from} AND ${t} < ${range.to} AND ${start}
		 ORDER BY ${t} DESC, id DESC
		 LIMIT ${pageSize}`.execute(db);
	return r.rows;
}

/** Selective filters (or no time range): direct count and sum, OFFSET paging. */
async function direct<R>(
	db: AnyDb,
	src: ListSource,
	range: TimeRange | null,
	skip: bigint,
	pageSize: number,
	select: RawBuilder<unknown>
): Promise<ListResult<R>> {
	const t = sql.ref(src.timeColumn);
	const inRange = range ? sql`${t} >= ${range.from} AND ${t} < ${range.to}` : sql`${t} >= ${FAR_PAST}`;
	const [totals, rows] = await Promise.all([
		sql<{ count: bigint; amount: bigint; credit?: bigint; debit?: bigint }>`
			SELECT count(*)::bigint AS count, ${sums(src.amountColumn, src.directionColumn)}
			  FROM ${sql.table(src.table)} WHERE ${src.where} AND ${inRange}`.execute(db),
		sql<R>`
			SELECT ${select} FROM ${sql.table(src.table)}
			 WHERE ${src.where} AND ${inRange}
			 ORDER BY ${t} DESC, id DESC
			 OFFSET ${skip} LIMIT ${pageSize}`.execute(db)
	]);
	const t0 = totals.rows[0];
	return {
		rows: rows.rows,
		count: t0.count,
		amount: src.amountColumn ? t0.amount : null,
		...(src.directionColumn ? { credit: t0.credit ?? 0n, debit: t0.debit ?? 0n } : {})
	};
}

/** AND of conditions; TRUE for none. */
export function and(conds: RawBuilder<unknown>[]): RawBuilder<unknown> {
	if (conds.length === 0) return sql`TRUE`;
	return sql.join(conds.map((c) => sql`(${c})`), sql` AND `);
}
