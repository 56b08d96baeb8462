// The tRPC context of an HTTP request, shared by the /api/trpc endpoint and server-side callers
// in load functions, so both see the same person, locale and cookie handling.
import type { RequestEvent } from '@sveltejs/kit';
import { clientAddress } from '../client-address.ts';
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { getDb } from '#db';
import { isMessageKey, translate, type Locale } from '$lib/i18n/messages';
import { cookieSecure } from '$lib/server/auth/config';
import { sessionCookieSetter } from '$lib/server/auth/cookie';
import type { Context } from './context';
import { MessageParams } from './init';
import { createCaller } from './root';

export function contextFor(event: RequestEvent): Context {
	const secure = cookieSecure(event.url);
	return {
		db: getDb(),
		auth: event.locals.auth,
		pendingSignIn: event.locals.pendingSignIn ?? null,
		locale: event.locals.locale,
		ip: clientAddress(event),
		userAgent: event.request.headers.get('user-agent'),
		setCookie: sessionCookieSetter(event.cookies.set.bind(event.cookies), secure)
	};
}

/** A server-side caller for load functions and form actions: `await callerFor(event).auth.me()`. */
export function callerFor(event: RequestEvent) {
	return createCaller(contextFor(event));
}


/**
 * What a server-side caller's error says, in the person's language (the HTTP endpoint's error
 * formatter does this for the browser; callers in form actions need it by hand).
 */
export function errorMessage(error: unknown, locale: Locale): string {
	if (!(error instanceof TRPCError)) return translate(locale, 'error.internal');
	if (error.cause instanceof ZodError) {
		const key = error.cause.issues[0]?.message ?? '';
		return translate(locale, isMessageKey(key) ? key : 'error.badInput');
	}
	if (error.code === 'INTERNAL_SERVER_ERROR' || !isMessageKey(error.message)) return translate(locale, 'error.internal');
	return translate(locale, error.message, error.cause instanceof MessageParams ? error.cause.params : undefined);
}
