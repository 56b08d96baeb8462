// The payment core's door into the ledger. Authenticated by HMAC signature, not a session.
import { json } from '@sveltejs/kit';
import { getDb } from '#db';
import { handleIngest } from '$lib/server/ingest/handle';
import type { RequestHandler } from './$types';

/** Bodies are small JSON documents; anything larger is not from the payment core. */
const MAX_BODY_BYTES = 64 * 1024;

export const POST: RequestHandler = async ({ params, request }) => {
	const length = Number(request.headers.get('content-length') ?? 0);
	if (length > MAX_BODY_BYTES) return json({ ok: false, code: 'BODY_TOO_LARGE', message: '请求体过大' }, { status: 413 });
	const rawBody = await request.text();
	if (Buffer.byteLength(rawBody) > MAX_BODY_BYTES)
		return json({ ok: false, code: 'BODY_TOO_LARGE', message: '请求体过大' }, { status: 413 });
	const r = await handleIngest(getDb(), params.kind, rawBody, request.headers);
	return json(r.body, { status: r.status });
};
