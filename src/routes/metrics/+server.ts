// Prometheus scrape of this web process (bearer METRICS_TOKEN; 404 while unset).
import type { RequestHandler } from './$types';
import { scrape } from '$lib/server/metrics';

export const GET: RequestHandler = async ({ request }) => {
	const r = await scrape(request.headers.get('authorization'));
	return new Response(r.body, { status: r.status, headers: r.headers });
};
