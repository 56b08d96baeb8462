// Which errors mean "a dependency is down or saturated, try again shortly" rather than a bug:
// Postgres gone (restarted, failed over, a backend terminated, refusing connections), a pool
// with no free connection in time, Redis unreachable. Those are answered 503 with Retry-After
// and the catalogue's error.unavailable; everything else stays a 500 (error.internal).
// Relative imports only: the worker and the files module use this under plain Node too.
import { translate, type Locale } from '../i18n/messages.ts';
import { DomainError } from './domain-error.ts';

/** Seconds a client is told to wait before trying again (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;

// SQLSTATE class 08 (connection exception), and the shutdown/startup states of class 57.
const PG_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// pg, pg-pool and ioredis say these in their messages only (no code).
const MESSAGES = [
	/^Connection terminated/, // pg: the socket closed (unexpectedly, or the connect timeout)
	/^timeout exceeded when trying to connect$/, // pg-pool: no free connection in time
	/is not queryable$/, // pg: a client whose connection already failed
	/^Connection is closed\.?$/, // ioredis
	/^Stream isn't writeable and enableOfflineQueue options is false/, // ioredis, offline
	/^Reached the max retries per request limit/ // ioredis MaxRetriesPerRequestError
];

/** Raised on purpose when a pool is saturated and the request should come back later (answered 503 by the outage path). */
class ServiceBusyError extends DomainError {
	constructor(what: string) {
		super('SERVICE_UNAVAILABLE', 'error.unavailable', { message: `${what}: no capacity right now` });
	}
}

/** True when the error (or anything in its cause chain) says a dependency is unreachable or saturated. */
export function isOutage(err: unknown): boolean {
	const seen = new Set<unknown>();
	let e: unknown = err;
	while (e && typeof e === 'object' && !seen.has(e)) {
		seen.add(e);
		if (e instanceof ServiceBusyError) return true;
		const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
		if (typeof code === 'string' && (/^08[0-9A-Z]{3}$/.test(code) || PG_CODES.has(code) || NET_CODES.has(code))) return true;
		if (name === 'MaxRetriesPerRequestError') return true;
		if (typeof message === 'string' && MESSAGES.some((m) => m.test(message))) return true;
		if (e instanceof AggregateError && e.errors.some(isOutage)) return true;
		e = (e as { cause?: unknown }).cause;
	}
	return false;
}

/**
 * The answer while a dependency is down: 503 with Retry-After and the catalogue's message in
 * the person's language, as a small page for a browser and as JSON for everything else.
 */
export function unavailableResponse(locale: Locale, request: Request): Response {
	const message = translate(locale, 'error.unavailable');
	const headers = new Headers({ 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'private, no-store' });
	if (request.headers.get('accept')?.includes('text/html')) {
		headers.set('Content-Type', 'text/html; charset=utf-8');
		const lang = locale === 'en' ? 'en' : 'zh-CN';
		return new Response(`<!doctype html><html lang="${lang}"><meta charset="utf-8"><title>${message}</title><h1>503</h1><p>${message}</p></html>`, {
			status: 503,
			headers
		});
	}
	headers.set('Content-Type', 'application/json');
	return new Response(JSON.stringify({ message }), { status: 503, headers });
}
