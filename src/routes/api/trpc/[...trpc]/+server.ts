import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { RequestHandler } from './$types';
import { contextFor } from '$lib/server/api/caller';
import { isUnavailable, RequestLocale } from '$lib/server/api/init';
import { appRouter } from '$lib/server/api/root';
import { isMessageKey, translate } from '$lib/i18n/messages';
import { activeLog } from '$lib/server/log';
import { metrics } from '$lib/server/metrics';
import { RETRY_AFTER_SECONDS } from '$lib/server/outage';

/** The most calls one batched query request may carry (the browser client sends at most this). */
const MAX_BATCH_SIZE = 10;

const handler: RequestHandler = (event) => {
	const locale = event.locals.locale;
	// Mutations only as JSON: another site cannot send JSON without a CORS preflight we never
	// grant, so no form post (which tRPC would read as FormData) can act for a signed-in person.
	if (event.request.method !== 'GET' && !event.request.headers.get('content-type')?.startsWith('application/json'))
		error(415, translate(locale, 'error.unsupportedRequest'));
	// Mutations are never batched: a batch runs its calls in parallel, and a sign-in, a password
	// check or a change must each be its own request (the limits hold either way; this keeps
	// one request one action). Queries may batch, up to MAX_BATCH_SIZE.
	const calls = (event.params.trpc ?? '').split(',').length;
	if (event.request.method !== 'GET' && calls > 1) error(400, translate(locale, 'auth.batchRefused'));
	return fetchRequestHandler({
		endpoint: '/api/trpc',
		req: event.request,
		router: appRouter,
		maxBatchSize: MAX_BATCH_SIZE,
		createContext: () => {
			// The session could not be read (Postgres down): answer every call 503 rather than as
			// someone signed out.
			const outage = event.locals.outage;
			if (outage) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'error.unavailable', cause: new RequestLocale(locale, outage) });
			return contextFor(event);
		},
		responseMeta({ errors }) {
			return errors.some(isUnavailable) ? { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } } : {};
		},
		onError({ error, path }) {
			const unavailable = isUnavailable(error);
			// A client can name any path: only real procedures become label values.
			metrics.trpcErrors.inc({ path: path && path in appRouter._def.procedures ? path : 'unknown', code: unavailable ? 'SERVICE_UNAVAILABLE' : error.code });
			// The person sees a catalogue message; the operator needs the real cause.
			const where = `tRPC ${event.request.method} ${path ?? '?'}`;
			const log = activeLog();
			if (unavailable) log.error(`${where} unavailable: ${String((error.cause as Error | undefined)?.message ?? error.message)}`);
			else if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error }, `${where} failed`);
			// tRPC's own refusals (unknown procedure, wrong method, unreadable body) are mostly
			// scanners and broken clients: their English detail only at LOG_LEVEL=debug.
			else if (!error.cause && !isMessageKey(error.message)) log.debug(`${where} refused (${error.code}): ${error.message}`);
		}
	});
};

export const GET = handler;
export const POST = handler;
