import type { Handle } from '@sveltejs/kit';
import { closeDb, getDb } from '#db';
import { closeQueues } from '../jobs/queues.ts';
import { cookieSecure } from '$lib/server/auth/config';
import { deleteSessionCookie, SESSION_COOKIE, setSessionCookie } from '$lib/server/auth/cookie';
import { validateSessionToken } from '$lib/server/auth/session';

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
		const token = event.cookies.get(SESSION_COOKIE);
		if (token) {
			const secure = cookieSecure(event.url);
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
	setSecurityHeaders(response.headers);
	return response;
};

function setSecurityHeaders(headers: Headers): void {
	try {
		headers.set('X-Frame-Options', 'DENY');
		headers.set('X-Content-Type-Options', 'nosniff');
		headers.set('Referrer-Policy', 'same-origin');
	} catch {
		// Responses passed through from fetch() have immutable headers; they are not our pages.
	}
}
