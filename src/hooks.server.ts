import type { Handle, HandleServerError } from '@sveltejs/kit';
import { clientAddress } from '$lib/server/client-address';
import { building } from '$app/environment';
import { getDb, warmPool } from '#db';
import { cookieSecure } from '$lib/server/auth/config';
import { crossSiteRefusal } from '$lib/server/csrf';
import { deleteSessionCookie, sessionCookieName, setSessionCookie } from '$lib/server/auth/cookie';
import { resolveSession } from '$lib/server/auth/session';
import { LOCALE_COOKIE, parseLocale } from '$lib/i18n';
import { translate } from '$lib/i18n/messages';
import { startWebLifecycle } from '$lib/server/lifecycle';
import { activeLog } from '$lib/server/log';
import { isOutage, RETRY_AFTER_SECONDS, unavailableResponse } from '$lib/server/outage';
import { observeRequest } from '$lib/server/request-log';
import { assertDemoModeAllowed } from '$lib/server/sms';

// DEMO_MODE shows SMS passwords and codes to anyone: a production server refuses to start with it.
assertDemoModeAllowed();

// Crash logging, the draining flag /readyz reports, and closing the pools once adapter-node
// has let the requests in flight finish after SIGTERM.
startWebLifecycle();
// The pool's connections open at start, not in the first people's requests (never in `vite build`).
if (!building) void warmPool(getDb());

/** Probes for load balancers and orchestrators, and the metrics scrape: never a session, so never a database read first. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

// One JSON log line per request (request id, route, merchant, staff, status, duration) and the
// latency histogram; the request id is answered as X-Request-Id.
export const handle: Handle = (input) => observeRequest(input.event, async () => serve(input));

const serve: Handle = async ({ event, resolve }) => {
	const locale = parseLocale(event.cookies.get(LOCALE_COOKIE));
	event.locals.locale = locale;
	event.locals.auth = null;
	const crossSite = crossSiteRefusal(event.request, event.url, locale);
	if (crossSite) return secured(crossSite, event);

	// The signed ingest API authenticates every request itself and never uses a session.
	if (!event.url.pathname.startsWith('/api/ingest/') && !PROBES.has(event.url.pathname)) {
		// Secure mode reads only `__Host-session`: a plain `session` cookie planted by a sibling
		// subdomain or over plain http is not a session here.
		const secure = cookieSecure(event.url);
		const token = event.cookies.get(sessionCookieName(secure));
		if (token) {
			const set = event.cookies.set.bind(event.cookies);
			let result: Awaited<ReturnType<typeof resolveSession>>;
			try {
				// The origin lets the merchant's address allow-list end a session used from outside it.
				result = await resolveSession(getDb(), token, { ip: clientAddress(event), userAgent: event.request.headers.get('user-agent') });
			} catch (err) {
				// Postgres is down: the person is not signed out, the service is away for a moment.
				if (!isOutage(err)) throw err;
				activeLog().error(`${event.request.method} ${event.url.pathname} unavailable: session check failed: ${(err as Error).message}`);
				// tRPC answers in its own shape (the endpoint reads this); everything else here.
				if (!event.url.pathname.startsWith('/api/trpc')) return secured(unavailableResponse(locale, event.request), event);
				event.locals.outage = err;
				result = null;
			}
			// Password right, code still to come: nobody is signed in, but the sign-in page and
			// auth.verifySecondFactor can finish it.
			if (result?.kind === 'pending') event.locals.pendingSignIn = result.pending;
			else if (result) {
				event.locals.auth = result.auth;
				if (result.renewed) setSessionCookie(set, token, result.auth.expiresAt, secure);
			} else {
				deleteSessionCookie(set, secure);
			}
		}
	}

	let response = await resolve(event, {
		transformPageChunk: ({ html }) => html.replace('%lang%', locale)
	});
	// A page whose load met an outage was rendered as an error page (handleError below): 503, not 500.
	if (response.status === 500 && outages.has(event.request)) response = withStatus(response, 503, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
	return secured(response, event);
};


function secured(response: Response, event: Parameters<Handle>[0]['event']): Response {
	return withSecurityHeaders(response, {
		https: event.url.protocol === 'https:',
		personal: event.locals.auth !== null || event.url.pathname.startsWith('/api/trpc')
	});
}

/** Requests whose unexpected error was an outage (set by handleError, read by handle). */
const outages = new WeakSet<Request>();

function withStatus(response: Response, status: number, headers: Record<string, string>): Response {
	const copy = new Response(response.body, { status, headers: response.headers });
	for (const [k, v] of Object.entries(headers)) copy.headers.set(k, v);
	return copy;
}

/**
 * An error no handler expected (a thrown exception, a route that does not exist): the person
 * sees the catalogue's message in their language, the operator's log gets the real error.
 * SvelteKit's own default would show "Internal Error" / "Not Found" in English.
 */
export const handleError: HandleServerError = ({ error, event, status }) => {
	const locale = event.locals.locale ?? 'zh-CN';
	if (status === 404) return { message: translate(locale, 'error.pageNotFound') };
	if (status >= 500 && isOutage(error)) {
		outages.add(event.request);
		activeLog().error(`${event.request.method} ${event.url.pathname} unavailable: ${(error as Error).message}`);
		return { message: translate(locale, 'error.unavailable') };
	}
	if (status >= 500) {
		activeLog().error({ err: error }, `${event.request.method} ${event.url.pathname} failed`);
		return { message: translate(locale, 'error.internal') };
	}
	return { message: translate(locale, 'error.badInput') };
};

/** What a page without its own policy may do: nothing (JSON answers, downloads, redirects). */
const NOTHING_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers every answer carries. Pages get their Content-Security-Policy from kit.csp
 * (svelte.config.js, with a nonce for SvelteKit's own inline script); everything else gets one
 * that allows nothing, so a download or JSON answer opened in a tab cannot run anything.
 */
function withSecurityHeaders(response: Response, o: { https: boolean; personal: boolean }): Response {
	const apply = (headers: Headers) => {
		headers.set('X-Frame-Options', 'DENY');
		headers.set('X-Content-Type-Options', 'nosniff');
		headers.set('Referrer-Policy', 'same-origin');
		if (!headers.has('content-security-policy')) headers.set('Content-Security-Policy', NOTHING_POLICY);
		// Only over https: a browser ignores it on http, and it would pin a plain-http demo to https.
		if (o.https) headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
		// A signed-in person's pages and every API answer are theirs alone: no shared cache, and no
		// copy on disk for the next person at a shared computer to find with the back button.
		// Public answers are not cached either unless their handler says otherwise.
		if (o.personal || !headers.has('cache-control')) headers.set('Cache-Control', 'private, no-store');
	};
	try {
		apply(response.headers);
		return response;
	} catch {
		// A response passed through from fetch() has immutable headers: copy it to set ours.
		const copy = new Response(response.body, response);
		apply(copy.headers);
		return copy;
	}
}
