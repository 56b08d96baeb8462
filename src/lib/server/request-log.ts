// One log line and one latency observation per HTTP request, and the request id that ties the
// line to everything logged or enqueued while the request ran (X-Request-Id in and out).
import type { RequestEvent } from '@sveltejs/kit';
import { logger, requestIdFrom, withLogScope } from './log.ts';
import { metrics } from './metrics.ts';

/** Scraped and probed every few seconds: their lines only at LOG_LEVEL=debug. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

const TRPC_PREFIX = '/api/trpc/';

/** Runs serve inside the request's log scope, then logs the request and answers with its id. */
export async function observeRequest(event: RequestEvent, serve: () => Promise<Response>): Promise<Response> {
	const started = performance.now();
	const requestId = requestIdFrom(event.request.headers.get('x-request-id'));
	const log = logger.child({ requestId });
	let status = 500;
	try {
		const response = await withLogScope({ requestId, log }, serve);
		status = response.status;
		return withRequestId(response, requestId);
	} finally {
		const seconds = (performance.now() - started) / 1000;
		const route = event.route.id ?? 'unmatched';
		metrics.httpDuration.observe({ route, method: event.request.method, status: String(status) }, seconds);
		const staff = event.locals.auth?.staff;
		const path = event.url.pathname;
		const line = {
			method: event.request.method,
			route,
			// The path without its query (which may hold filters); it says what an unmatched route was.
			path: path.slice(0, 300),
			// Which procedures a tRPC request called (a batch names several): the route id says only /api/trpc.
			...(path.startsWith(TRPC_PREFIX) ? { trpc: path.slice(TRPC_PREFIX.length, TRPC_PREFIX.length + 300) } : {}),
			merchantId: staff ? String(staff.merchantId) : null,
			staffId: staff ? String(staff.id) : null,
			status,
			durationMs: Math.round(seconds * 10_000) / 10
		};
		const msg = `${event.request.method} ${route} ${status}`;
		if (status >= 500) log.error(line, msg);
		else if (QUIET.has(path)) log.debug(line, msg);
		else log.info(line, msg);
	}
}

function withRequestId(response: Response, requestId: string): Response {
	try {
		response.headers.set('X-Request-Id', requestId);
		return response;
	} catch {
		// A response passed through from fetch() has immutable headers.
		const copy = new Response(response.body, response);
		copy.headers.set('X-Request-Id', requestId);
		return copy;
	}
}
