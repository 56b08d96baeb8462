import type { RequestHandler } from './$types';
import { readiness } from '$lib/server/lifecycle';
import { RETRY_AFTER_SECONDS } from '$lib/server/outage';

// Readiness for a load balancer: 200 when this process can serve (Postgres reachable and
// migrated, Redis reachable, not shutting down), else 503. The worker's heartbeat is reported
// alongside (ok/stale) without deciding the status. No session: probes carry no cookie.
export const GET: RequestHandler = async () => {
	const r = await readiness();
	const headers = new Headers({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
	if (!r.ready) headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
	return new Response(JSON.stringify(r), { status: r.ready ? 200 : 503, headers });
};
