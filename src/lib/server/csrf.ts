import { translate, type Locale } from '$lib/i18n/messages';

// SvelteKit's own origin check answers in English before any hook runs, so it is switched off in
// svelte.config.js (trustedOrigins ['*']) and done here with the same rule, in the person's language.
// The rule is SvelteKit's: a form-encodable body sent with a state-changing method from another
// origin (or with no Origin header at all) is refused. JSON bodies need a CORS preflight, which this
// server never grants, so they cannot be sent cross-site by a browser.
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', 'application/x-sveltekit-formdata']);
const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function crossSiteRefusal(request: Request, url: URL, locale: Locale): Response | null {
	if (!CHANGING.has(request.method)) return null;
	const type = request.headers.get('content-type')?.split(';', 1)[0].trim().toLowerCase() ?? '';
	if (!FORM_TYPES.has(type)) return null;
	if (request.headers.get('origin') === url.origin) return null;
	const message = translate(locale, 'error.crossSite');
	const headers = { 'content-type': request.headers.get('accept') === 'application/json' ? 'application/json' : 'text/plain; charset=utf-8' };
	return new Response(headers['content-type'] === 'application/json' ? JSON.stringify({ message }) : message, { status: 403, headers });
}
