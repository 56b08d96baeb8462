// What every query list shares: paging, the time-range filter and the enumerations the
// filters offer. Relative imports only: the export jobs parse the same filters under tsx.
import { z } from 'zod';
import { addDays, businessDate, startOfBusinessDate } from '../time.ts';
import { idSchema, text } from './common.ts';

export const PAGE_SIZES = [10, 20, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 20;

/** Days a default range covers (today-6 .. today) and the longest span a range may have. */
export const DEFAULT_RANGE_DAYS = 7;
export const MAX_RANGE_DAYS = 93;

/** Column-preference keys (settings.getColumns / setColumns). */
export const LIST_KEYS = ['payments', 'refunds', 'withdrawals', 'flows', 'accountFlows', 'users', 'roles', 'operators', 'audit', 'signIns', 'ownSignIns', 'exports', 'wechatKeys', 'alipayKeys'] as const;
export type ListKey = (typeof LIST_KEYS)[number];

export const PAYMENT_TXN_TYPES = [
	'USER_TOPUP',
	'MCH_TOPUP',
	'GENERAL_CONSUME',
	'SECURED_CONSUME',
	'SECURED_CONFIRM',
	'INNER_FUND_EXCHANGE'
] as const;
export const PAYMENT_STATUSES = ['TRADE_WAIT_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSE', 'TRADE_CANCEL'] as const;
export const REFUND_STATUSES = ['TRADE_PROCESSING', 'TRADE_SUCCESS', 'TRADE_FAILURE'] as const;
export const WITHDRAWAL_TXN_TYPES = ['ACCT_CASH_OUT', 'OUTER_FUND_EXCHANGE'] as const;
export const WITHDRAWAL_STATUSES = ['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'] as const;
export const FLOW_TXN_TYPES = [
	'USER_TOPUP',
	'MCH_TOPUP',
	'GENERAL_CONSUME',
	'SECURED_CONSUME',
	'SECURED_CONFIRM',
	'INNER_FUND_EXCHANGE',
	'OUTER_FUND_EXCHANGE',
	'SERVICE_FEE',
	'ACCT_CASH_OUT',
	'CAPITAL_CANCEL',
	'INNER_DIRECT_EXCHANGE',
	'DAILY_SETTLEMENT',
	'REFUND'
] as const;
/** 账户种类 a flow list may filter on: the merchant's four accounts and a user's own account. */
export const FLOW_ACCOUNT_TYPES = ['MCHOWN', 'MCHASSURE', 'MCHCOUPON', 'MCHFEE', 'USEROWN'] as const;
export const SUB_TYPES = ['PSETTLE', 'AVAILABLE'] as const;
export const DIRECTIONS = ['CREDIT', 'DEBIT'] as const;
export const USER_TYPES = ['INNERUSER', 'INNERCOMPANY'] as const;
export const USER_STATUSES = ['NORMAL', 'ACTIVATE_PENDING', 'CHECK_PENDING', 'PAUSE', 'CANCEL'] as const;
export const ID_TYPES = ['ID_CARD', 'UNIFIED_CODE'] as const;

/** An optional enum filter: '' (全部) or one of the values. */
export function enumFilter<const T extends readonly [string, ...string[]]>(values: T) {
	return z.union([z.literal(''), z.enum(values)]).default('');
}

/** A free-text filter; surrounding blanks are dropped and '' means not set. */
export const textFilter = text({ trim: true }).max(64).default('');

/** 'YYYY-MM-DD' or 'YYYY-MM-DD HH:mm[:ss]' (Asia/Shanghai), or '' for not set. */
export const TIME_PATTERN = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
export const timeFilter = text({ trim: true })
	.refine((s) => s === '' || parseLocalTime(s) !== null, { message: 'lists.timeInvalid' })
	.default('');

/** The instant a local time names, or null when it is not a real time. Date-only → its 00:00. */
export function parseLocalTime(text: string): Date | null {
	const m = TIME_PATTERN.exec(text);
	if (!m) return null;
	const [y, mo, d] = m[1].split('-').map(Number);
	const probe = new Date(Date.UTC(y, mo - 1, d));
	if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
	const h = Number(m[2] ?? 0);
	const mi = Number(m[3] ?? 0);
	const s = Number(m[4] ?? 0);
	if (h > 23 || mi > 59 || s > 59) return null;
	return new Date(startOfBusinessDate(m[1]).getTime() + ((h * 60 + mi) * 60 + s) * 1000);
}

/** A resolved time range: [from, to) as instants. */
export interface TimeRange {
	from: Date;
	/** Exclusive. */
	to: Date;
}

export type RangeResult = { ok: true; range: TimeRange | null } | { ok: false; key: 'lists.rangeTooLong' | 'lists.rangeInverted' };

/**
 * Turns a filter's from/to into instants. A date-only `to` covers that whole day; a `to` with a
 * time covers that second. With `defaultDays`, a missing end is filled (the last N days ending
 * today); without it, a range with both ends empty means "no time limit" (range null).
 */
export function resolveRange(
	fromText: string,
	toText: string,
	opts: { defaultDays?: number; maxDays?: number; now?: Date } = {}
): RangeResult {
	const today = businessDate(opts.now);
	let from = fromText ? parseLocalTime(fromText) : null;
	let to = toText ? inclusiveEnd(toText) : null;
	if (!from && !to) {
		if (!opts.defaultDays) return { ok: true, range: null };
		to = startOfBusinessDate(addDays(today, 1));
		from = startOfBusinessDate(addDays(today, -(opts.defaultDays - 1)));
	} else if (!from) {
		if (opts.defaultDays) from = new Date(to!.getTime() - opts.defaultDays * 86_400_000);
	} else if (!to) {
		if (opts.defaultDays) to = startOfBusinessDate(addDays(today, 1));
	}
	if (from && to) {
		if (from.getTime() >= to.getTime()) return { ok: false, key: 'lists.rangeInverted' };
		if (opts.maxDays && to.getTime() - from.getTime() > opts.maxDays * 86_400_000) return { ok: false, key: 'lists.rangeTooLong' };
	}
	return {
		ok: true,
		range: { from: from ?? new Date(Date.UTC(1970, 0, 1)), to: to ?? new Date(Date.UTC(9999, 0, 1)) }
	};
}

function inclusiveEnd(text: string): Date | null {
	const at = parseLocalTime(text);
	if (!at) return null;
	const m = TIME_PATTERN.exec(text)!;
	if (m[2] === undefined) return startOfBusinessDate(addDays(m[1], 1));
	// 'HH:mm' covers its minute, 'HH:mm:ss' its second
	return new Date(at.getTime() + (m[4] === undefined ? 60_000 : 1000));
}

/** The default window as filter text: from = today-6, to = today. */
export function defaultDateRange(now: Date = new Date()): { from: string; to: string } {
	const to = businessDate(now);
	return { from: addDays(to, -(DEFAULT_RANGE_DAYS - 1)), to };
}

/** Adds the range check to a filter schema, reported on its `to` field. */
export function withRangeCheck<T extends z.ZodType<Record<string, unknown>>>(
	schema: T,
	ends: { from: string; to: string },
	opts: { defaultDays?: number; maxDays?: number }
) {
	return schema.superRefine((f, ctx) => {
		const r = resolveRange(String(f[ends.from] ?? ''), String(f[ends.to] ?? ''), opts);
		if (!r.ok) ctx.addIssue({ code: 'custom', message: r.key, path: [ends.to] });
	});
}

export const pageInput = z.number().int().min(1).max(10_000_000).default(1);
export const pageSizeInput = z
	.union([z.literal(10), z.literal(20), z.literal(50), z.literal(100)])
	.default(DEFAULT_PAGE_SIZE);

/** The input of every `list` procedure. */
export function listInput<F extends z.ZodType>(filter: F) {
	return z.object({ filter, page: pageInput, pageSize: pageSizeInput });
}

/**
 * The answer of every `list` procedure. `total.amount` is null for lists without money (users);
 * ledger-entry lists (fund flows) also give the credits' and the debits' sums.
 */
export interface ListPage<Row> {
	rows: Row[];
	total: { count: bigint; amount: bigint | null; credit?: bigint; debit?: bigint; /** More rows than `count` (a bounded count). */ capped?: boolean };
	page: number;
	pageSize: PageSize;
}

export const detailInput = z.object({ id: idSchema });

/** settings.getColumns / setColumns (the column chooser, remembered per person and list). */
export const getColumnsInput = z.object({ list: z.enum(LIST_KEYS) });
export const setColumnsInput = z.object({
	list: z.enum(LIST_KEYS),
	columns: z
		.array(text().regex(/^[A-Za-z][A-Za-z0-9_.]{0,39}$/, { message: 'lists.columnsInvalid' }))
		.max(40, { message: 'lists.columnsInvalid' })
});
