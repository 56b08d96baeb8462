// The session cookie. Callers pass a setter (SvelteKit's cookies.set or the tRPC context's
// setCookie) so this file knows neither SvelteKit nor tRPC.
import type { CookieOptions } from '../api/context.ts';

export const SESSION_COOKIE = 'session';

export type CookieSetter = (name: string, value: string, opts: CookieOptions) => void;

export function sessionCookieOptions(expiresAt: Date, secure?: boolean): CookieOptions {
	const opts: CookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', expires: expiresAt };
	if (secure !== undefined) opts.secure = secure;
	return opts;
}

export function setSessionCookie(set: CookieSetter, token: string, expiresAt: Date, secure?: boolean): void {
	set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt, secure));
}

export function deleteSessionCookie(set: CookieSetter, secure?: boolean): void {
	const opts: CookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 0 };
	if (secure !== undefined) opts.secure = secure;
	set(SESSION_COOKIE, '', opts);
}
