// Requests through hooks.server.ts to a route handler, the way SvelteKit runs them, with the
// route id SvelteKit would set. Everything behind the hand-made event is real.
import type { RequestEvent } from '@sveltejs/kit';
import superjson from 'superjson';
import { handle } from '../../src/hooks.server.ts';
import { GET as trpcGet, POST as trpcPost } from '../../src/routes/api/trpc/[...trpc]/+server.ts';
import { GET as metricsGet } from '../../src/routes/metrics/+server.ts';
import { requestEvent, type SetCookie } from '../fixtures/request-event.ts';

type Handler = (event: RequestEvent) => Promise<Response> | Response;

export interface Sent {
	response: Response;
	cookies: SetCookie[];
}

async function send(url: string, route: string, handler: Handler, init: RequestInit = {}, jar: Record<string, string> = {}): Promise<Sent> {
	const cookies: SetCookie[] = [];
	const event = requestEvent(url, { init, jar, setCookies: cookies });
	(event as { route: { id: string } }).route = { id: route };
	const response = await handle({ event, resolve: async (e) => handler(e) });
	return { response, cookies };
}

const TRPC_ROUTE = '/api/trpc/[...trpc]';

export function trpcMutation(path: string, input: unknown, headers: Record<string, string> = {}, jar: Record<string, string> = {}): Promise<Sent> {
	const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(superjson.serialize(input)) };
	return send(`http://localhost/api/trpc/${path}`, TRPC_ROUTE, trpcPost as Handler, init, jar);
}

export function trpcQuery(path: string, jar: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Sent> {
	return send(`http://localhost/api/trpc/${path}`, TRPC_ROUTE, trpcGet as Handler, { headers }, jar);
}

export function scrapeMetrics(authorization?: string): Promise<Sent> {
	return send('http://localhost/metrics', '/metrics', metricsGet as Handler, { headers: authorization ? { authorization } : {} });
}

/** The value of one sample line of a Prometheus exposition (labels in the order they were declared). */
export function sample(exposition: string, series: string): number | undefined {
	const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
	return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
