import type { Handle, HandleServerError } from '@sveltejs/kit';
import { closeDb, getDb } from '#db';
import { closeQueues } from '$lib/server/queue/queues';
import { cookieSecure } from '$lib/server/auth/config';
import { deleteSessionCookie, sessionCookieName, setSessionCookie } from '$lib/server/auth/cookie';
import { validateSessionToken } from '$lib/server/auth/session';
import { translate } from '$lib/i18n/messages';
import { assertDemoModeAllowed } from '$lib/server/sms';

// DEMO_MODE shows SMS passwords and codes to anyone: a production server refuses to start with it.
assertDemoModeAllowed();

const LOCALE_COOKIE = 'locale';

// adapter-node emits this on SIGTERM/SIGINT; open pools would otherwise keep `node build` alive.
// The guard keeps dev-server reloads of this module from stacking listeners.
const shutdownKey = Symbol.for('merchant-backoffice.shutdown');
const g = globalThis as { [shutdownKey]?: boolean };
if (!g[shutdownKey]) {
	g[shutdownKey] = true;
	process.on('sveltekit:shutdown', async () => {
		await closeQueues();
		await closeDb();
	});
}

export const handle: Handle = async ({ event, resolve }) => {
	const locale = event.cookies.get(LOCALE_COOKIE) === 'en' ? 'en' : 'zh-CN';
	event.locals.locale = locale;
	event.locals.auth = null;

	// The signed ingest API authenticates every request itself and never uses a session.
	if (!event.url.pathname.startsWith('/api/ingest/')) {
		// Secure mode reads only `__Host-session`: a plain `session` cookie planted by a sibling
		// subdomain or over plain http is not a session here.
		const secure = cookieSecure(event.url);
		const token = event.cookies.get(sessionCookieName(secure));
		if (token) {
			const set = event.cookies.set.bind(event.cookies);
			const result = await validateSessionToken(getDb(), token);
			if (result) {
				event.locals.auth = result.auth;
				if (result.renewed) setSessionCookie(set, token, result.auth.expiresAt, secure);
			} else {
				deleteSessionCookie(set, secure);
			}
		}
	}

	const response = await resolve(event, {
		transformPageChunk: ({ html }) => html.replace('%lang%', locale)
	});
	return withSecurityHeaders(response, {
		https: event.url.protocol === 'https:',
		personal: event.locals.auth !== null || event.url.pathname.startsWith('/api/trpc')
	});
};

/**
 * An error no handler expected (a thrown exception, a route that does not exist): the person
 * sees the catalogue's message in their language, the operator's log gets the real error.
 * SvelteKit's own default would show "Internal Error" / "Not Found" in English.
 */
export const handleError: HandleServerError = ({ error, event, status }) => {
	const locale = event.locals.locale ?? 'zh-CN';
	if (status === 404) return { message: translate(locale, 'error.pageNotFound') };
	if (status >= 500) {
		console.error(`${event.request.method} ${event.url.pathname} failed:`, error);
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
