// The statement API for machines: a merchant's reconciliation system fetches a READY
// statement, authenticated by an RSA signature (src/lib/server/statements/api.ts), not a session.
import { json } from '@sveltejs/kit';
import { clientAddress } from '$lib/server/client-address';
import { getDb } from '#db';
import { fileResponse } from '$lib/server/files/http';
import { activeLog } from '$lib/server/log';
import { isOutage } from '$lib/server/outage';
import { handleStatementApi } from '$lib/server/statements/api';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const { request, url, params } = event;
	const ip = clientAddress(event);
	try {
		const r = await handleStatementApi(getDb(), {
			method: request.method,
			pathAndQuery: url.pathname + url.search,
			date: params.date,
			format: url.searchParams.get('format'),
			headers: request.headers,
			ip,
			userAgent: request.headers.get('user-agent')
		});
		if (!r.ok) return json({ ok: false, code: r.code, message: r.message }, { status: r.status, headers: { 'Cache-Control': 'private, no-store' } });
		return await fileResponse(r.file, request);
	} catch (err) {
		// Postgres down: come back shortly (503, not 500).
		if (!isOutage(err)) throw err;
		activeLog().error(`[statements api] ${url.pathname} unavailable: ${(err as Error).message}`);
		return json({ ok: false, code: 'UNAVAILABLE', message: 'try again shortly' }, { status: 503, headers: { 'Retry-After': '5' } });
	}
};
