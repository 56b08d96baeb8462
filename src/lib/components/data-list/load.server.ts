// What every list page's +page.server.ts does: read the filter from the URL, ask the list API,
// and turn a refused filter (a range too long…) into a message shown next to the filter bar.
import { error, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import type { ZodType } from 'zod';
import { translate } from '$lib/i18n/messages';
import { callerFor, errorMessage } from '$lib/server/api/caller';
import type { ListKey, ListPage, PageSize } from '$lib/schemas/lists';
import { parseListQuery, type FilterValues } from './query';

type Caller = ReturnType<typeof callerFor>;

interface ListData<F, Row> {
	filter: F;
	page: number;
	pageSize: PageSize;
	result: ListPage<Row> | null;
	error: string | null;
	/** The person's remembered columns for this list, null when never chosen. */
	savedColumns: string[] | null;
}

export async function loadList<F extends FilterValues, Row>(
	event: RequestEvent,
	opts: {
		listKey: ListKey;
		defaults: F;
		/** The filter's plain object schema: values it refuses fall back to their defaults. */
		schema?: ZodType;
		/** Adjusts the parsed filter (e.g. the home cards' `?account=` link). */
		adjust?: (filter: F, params: URLSearchParams) => F;
		list: (caller: Caller, input: { filter: F; page: number; pageSize: PageSize }) => Promise<ListPage<Row>>;
	}
): Promise<ListData<F, Row>> {
	const query = parseListQuery(event.url.searchParams, opts.defaults, opts.schema);
	const filter = opts.adjust ? opts.adjust(query.filter, event.url.searchParams) : query.filter;
	const caller = callerFor(event);
	const [listed, savedColumns] = await Promise.all([
		opts.list(caller, { filter, page: query.page, pageSize: query.pageSize }).then(
			(result) => ({ result, error: null }),
			(e: unknown) => ({ result: null, error: errorMessage(e, event.locals.locale) })
		),
		caller.settings.getColumns({ list: opts.listKey }).catch(() => null)
	]);
	return { filter, page: query.page, pageSize: query.pageSize, ...listed, savedColumns };
}

/**
 * A detail page's record by the id in its URL. A malformed id, a missing row and another
 * merchant's row all read as the same 404.
 */
export async function loadDetail<T>(event: RequestEvent & { params: { id: string } }, get: (caller: Caller, id: bigint) => Promise<T>): Promise<T> {
	const raw = event.params.id;
	if (!/^[1-9]\d{0,18}$/.test(raw)) error(404, translate(event.locals.locale, 'error.notFound'));
	try {
		return await get(callerFor(event), BigInt(raw));
	} catch (e) {
		if (e instanceof TRPCError) {
			const status = e.code === 'NOT_FOUND' || e.code === 'BAD_REQUEST' ? 404 : e.code === 'FORBIDDEN' ? 403 : e.code === 'UNAUTHORIZED' ? 401 : 500;
			error(status, errorMessage(e, event.locals.locale));
		}
		throw e;
	}
}
