import type { Db } from '#db';
import type { Locale } from '$lib/i18n/messages';
import type { PendingSignIn } from '$lib/server/auth/session';
import type { SessionContext } from '$lib/server/auth/types';

export interface Context {
	db: Db;
	auth: SessionContext | null;
	/** The password was right, the second factor is still to come (auth is null meanwhile). */
	pendingSignIn?: PendingSignIn | null;
	locale: Locale;
	ip: string | null;
	userAgent: string | null;
	/** Set by the HTTP adapter so procedures can set or clear the session cookie. */
	setCookie?: (name: string, value: string, opts: CookieOptions) => void;
}

export interface CookieOptions {
	path: string;
	httpOnly?: boolean;
	sameSite?: 'lax' | 'strict';
	secure?: boolean;
	expires?: Date;
	maxAge?: number;
}
