// The session cookie. Callers pass a setter (SvelteKit's cookies.set or the tRPC context's
// setCookie) so this file knows neither SvelteKit nor tRPC.
import type { CookieOptions } from '../api/context.ts';

/** The name procedures set; sessionCookieSetter gives it its real name for the request. */
export const SESSION_COOKIE = 'session';
/**
 * The name when the cookie is Secure. Browsers accept a `__Host-` cookie only with Secure,
 * Path=/ and no Domain, and only from an https page: a sibling subdomain or a plain-http
 * response (a network attacker's) cannot plant or overwrite it, so it cannot fix a session.
 */
export const SECURE_SESSION_COOKIE = '__Host-session';

export type CookieSetter = (name: string, value: string, opts: CookieOptions) => void;

/** The session cookie's name in this Secure mode; it is also the only name read in that mode. */
export function sessionCookieName(secure: boolean): string {
	return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * A setter for a request whose Secure mode is known: a cookie set without an explicit Secure
 * flag gets the request's, and the session cookie gets the name that goes with its flag.
 */
export function sessionCookieSetter(set: CookieSetter, secure: boolean): CookieSetter {
	return (name, value, opts) => {
		const s = opts.secure ?? secure;
		set(name === SESSION_COOKIE ? sessionCookieName(s) : name, value, { ...opts, secure: s });
	};
}

export function sessionCookieOptions(expiresAt: Date, secure?: boolean): CookieOptions {
	const opts: CookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', expires: expiresAt };
	if (secure !== undefined) opts.secure = secure;
	return opts;
}

export function setSessionCookie(set: CookieSetter, token: string, expiresAt: Date, secure?: boolean): void {
	set(secure === undefined ? SESSION_COOKIE : sessionCookieName(secure), token, sessionCookieOptions(expiresAt, secure));
}

export function deleteSessionCookie(set: CookieSetter, secure?: boolean): void {
	const opts: CookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 0 };
	if (secure !== undefined) opts.secure = secure;
	set(secure === undefined ? SESSION_COOKIE : sessionCookieName(secure), '', opts);
}
