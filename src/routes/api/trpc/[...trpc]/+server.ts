import { error } from '@sveltejs/kit';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { RequestHandler } from './$types';
import { contextFor } from '$lib/server/api/caller';
import { appRouter } from '$lib/server/api/root';
import { translate } from '$lib/i18n/messages';

/** The most calls one batched query request may carry (the browser client sends at most this). */
const MAX_BATCH_SIZE = 10;

const handler: RequestHandler = (event) => {
	// Mutations only as JSON: another site cannot send JSON without a CORS preflight we never
	// grant, so no form post (which tRPC would read as FormData) can act for a signed-in person.
	if (event.request.method !== 'GET' && !event.request.headers.get('content-type')?.startsWith('application/json'))
		error(415, 'application/json only');
	// Mutations are never batched: a batch runs its calls in parallel, and a sign-in, a password
	// check or a change must each be its own request (the limits hold either way; this keeps
	// one request one action). Queries may batch, up to MAX_BATCH_SIZE.
	const calls = (event.params.trpc ?? '').split(',').length;
	if (event.request.method !== 'GET' && calls > 1) error(400, translate(event.locals.locale, 'auth.batchRefused'));
	return fetchRequestHandler({
		endpoint: '/api/trpc',
		req: event.request,
		router: appRouter,
		maxBatchSize: MAX_BATCH_SIZE,
		createContext: () => contextFor(event),
		onError({ error, path }) {
			// The person sees a generic message; the operator needs the real cause.
			if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
		}
	});
};

export const GET = handler;
export const POST = handler;
