import { error } from '@sveltejs/kit';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { RequestHandler } from './$types';
import { contextFor } from '$lib/server/api/caller';
import { appRouter } from '$lib/server/api/root';

const handler: RequestHandler = (event) => {
	// Mutations only as JSON: another site cannot send JSON without a CORS preflight we never
	// grant, so no form post (which tRPC would read as FormData) can act for a signed-in person.
	if (event.request.method !== 'GET' && !event.request.headers.get('content-type')?.startsWith('application/json'))
		error(415, 'application/json only');
	return fetchRequestHandler({
		endpoint: '/api/trpc',
		req: event.request,
		router: appRouter,
		createContext: () => contextFor(event),
		onError({ error, path }) {
			// The person sees a generic message; the operator needs the real cause.
			if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
		}
	});
};

export const GET = handler;
export const POST = handler;
