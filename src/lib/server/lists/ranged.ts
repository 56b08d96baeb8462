// The money lists (payments, refunds, withdrawals, flows) and their exports: a creation-time
// range of their own (the last 7 days unless given, at most 93) over the filter's source.
// No $lib imports (#db, #shared are fine): the export job imports this under plain Node.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '#db/types.ts';
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, type ListPage, type PageSize, type TimeRange } from '#shared/schemas/lists.ts';
import type { OrderRow } from '#shared/schemas/payments.ts';
import { runList, type ListSource } from './engine.ts';
import { rangeOrThrow } from './errors.ts';

/** What a filter selects; null when nothing can match. */
export type SourceOf<F> = (db: Kysely<DB>, merchantId: bigint, f: F) => Promise<ListSource | null>;
export type RangedFilter = { from: string; to: string };

/** The range is checked first, so a refused range is refused before the source's lookups run. */
export async function rangedSource<F extends RangedFilter>(
	db: Kysely<DB>,
	merchantId: bigint,
	f: F,
	sourceOf: SourceOf<F>
): Promise<{ source: ListSource | null; range: TimeRange | null }> {
	const range = rangeOrThrow(f.from, f.to, { defaultDays: DEFAULT_RANGE_DAYS, maxDays: MAX_RANGE_DAYS });
	return { source: await sourceOf(db, merchantId, f), range };
}

/** One page of `select` columns, each row made by `rowOf`, and the filter's total. */
export async function rangedPage<F extends RangedFilter, Raw, Row>(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: F; page: number; pageSize: PageSize },
	sourceOf: SourceOf<F>,
	select: RawBuilder<unknown>,
	rowOf: (raw: Raw) => Row
): Promise<ListPage<Row>> {
	const { source, range } = await rangedSource(db, merchantId, input.filter, sourceOf);
	const { page, pageSize } = input;
	if (!source) return { rows: [], total: { count: 0n, amount: 0n }, page, pageSize };
	const r = await runList<Raw>(db, source, range, page, pageSize, select);
	return { rows: r.rows.map(rowOf), total: { count: r.count, amount: r.amount }, page, pageSize };
}

const ORDER_ROW = sql.raw('id, merchant_order_no, txn_type, amount, status, created_at, memo');
type OrderRaw = { id: bigint; merchant_order_no: string; txn_type: string; amount: bigint; status: string; created_at: Date; memo: string | null };

/** One page of an order list (payments, withdrawals) over `sourceOf`'s filter, with its total. */
export function orderPage<F extends RangedFilter>(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: F; page: number; pageSize: PageSize },
	sourceOf: SourceOf<F>
): Promise<ListPage<OrderRow>> {
	return rangedPage(db, merchantId, input, sourceOf, ORDER_ROW, (x: OrderRaw) => ({
		id: x.id,
		merchantOrderNo: x.merchant_order_no,
		txnType: x.txn_type,
		amount: x.amount,
		status: x.status,
		createdAt: x.created_at,
		memo: x.memo
	}));
}
