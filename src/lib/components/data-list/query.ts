// A list's state lives in the URL query string, so back/forward and shared links reproduce it:
// every filter field by its own name, plus `page` and `size`. Pure functions, used by the
// load functions (server) and the filter bar (browser) alike.
import type { ZodType } from 'zod';
import { DEFAULT_PAGE_SIZE, PAGE_SIZES, type PageSize } from '$lib/schemas/lists';

export { DEFAULT_PAGE_SIZE, PAGE_SIZES, type PageSize };

/** A list filter as the URL carries it: every field is text, '' meaning "not set". */
export type FilterValues = Record<string, string | undefined>;

interface ListQuery<F> {
	filter: F;
	page: number;
	pageSize: PageSize;
}

const DATE_TIME_LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/;

/** A datetime-local input gives '2026-11-25T09:30'; the API takes '2026-11-25 09:30:00'. */
export function normalizeFilterValue(value: string): string {
	const v = value.trim();
	const m = DATE_TIME_LOCAL.exec(v);
	return m ? `${m[1]} ${m[2]}${m[3] ?? ':00'}` : v;
}

function parsePage(value: string | null): number {
	const n = Number(value);
	return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

export function parsePageSize(value: string | null): PageSize {
	const n = Number(value);
	return PAGE_SIZES.find((s) => s === n) ?? DEFAULT_PAGE_SIZE;
}

/**
 * The filter the URL asks for: the list's defaults overlaid with the URL's values. A value the
 * schema refuses (a hand-edited link with an unknown status, say) falls back to its default
 * rather than breaking the page; range errors are left for the API to explain.
 */
function parseFilter<F extends FilterValues>(params: URLSearchParams, defaults: F, schema?: ZodType): F {
	const filter: FilterValues = { ...defaults };
	for (const key of Object.keys(defaults)) {
		const v = params.get(key);
		if (v !== null) filter[key] = normalizeFilterValue(v);
	}
	if (!schema) return filter as F;
	for (let attempt = 0; attempt < 3; attempt++) {
		const r = schema.safeParse(filter);
		if (r.success) break;
		// Only per-field problems (an unknown enum value) are repaired here; a range the API
		// refuses (custom issues) stays as typed, so the page can say why.
		const bad = new Set(r.error.issues.filter((i) => i.code !== 'custom').map((i) => String(i.path[0] ?? '')));
		const repairable = [...bad].filter((k) => k in defaults && filter[k] !== defaults[k]);
		if (!repairable.length) break;
		for (const k of repairable) filter[k] = defaults[k];
	}
	return filter as F;
}

export function parseListQuery<F extends FilterValues>(params: URLSearchParams, defaults: F, schema?: ZodType): ListQuery<F> {
	return { filter: parseFilter(params, defaults, schema), page: parsePage(params.get('page')), pageSize: parsePageSize(params.get('size')) };
}

/** The query string of a list state; empty filter fields, page 1 and the default size are left out. */
export function listSearch(filter: FilterValues, page = 1, pageSize: number = DEFAULT_PAGE_SIZE, extra?: Record<string, string>): string {
	const params = new URLSearchParams(extra);
	for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
	if (page > 1) params.set('page', String(page));
	if (pageSize !== DEFAULT_PAGE_SIZE) params.set('size', String(pageSize));
	const s = params.toString();
	return s ? `?${s}` : '';
}

/** The same URL on another page (or page size): the filter is kept as is. */
export function withPage(url: URL, page: number, pageSize?: number): string {
	const params = new URLSearchParams(url.searchParams);
	if (page > 1) params.set('page', String(page));
	else params.delete('page');
	if (pageSize !== undefined) {
		if (pageSize === DEFAULT_PAGE_SIZE) params.delete('size');
		else params.set('size', String(pageSize));
	}
	const s = params.toString();
	return `${url.pathname}${s ? `?${s}` : ''}`;
}

/** How many pages `count` rows make; at least one, so "page 1 of 1" reads right on an empty list. */
export function pageCount(count: bigint, pageSize: number): number {
	if (count <= 0n) return 1;
	return Number((count + BigInt(pageSize) - 1n) / BigInt(pageSize));
}

type PageItem = number | 'gap';

/**
 * The page numbers to show: first, last, and a window around the current page, with gaps.
 * Always the same number of slots (when there are enough pages), so the buttons do not jump.
 */
export function pageItems(current: number, total: number, around = 2): PageItem[] {
	const slots = around * 2 + 5;
	if (total <= slots) return Array.from({ length: total }, (_, i) => i + 1);
	const c = Math.min(Math.max(current, 1), total);
	let start = c - around;
	let end = c + around;
	if (start <= 3) {
		start = 2;
		end = slots - 2;
	} else if (end >= total - 2) {
		end = total - 1;
		start = total - (slots - 3);
	}
	const items: PageItem[] = [1];
	if (start > 2) items.push('gap');
	for (let p = start; p <= end; p++) items.push(p);
	if (end < total - 1) items.push('gap');
	items.push(total);
	return items;
}
