import type { RequestHandler } from './$types';

// Liveness: the process answers HTTP. Deliberately checks no dependency, so an orchestrator
// does not restart a healthy web process because Postgres or Redis is down (/readyz says that).
export const GET: RequestHandler = () =>
	new Response(JSON.stringify({ status: 'ok' }), { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
