// The payment core's door into the ledger. Authenticated by HMAC signature, not a session.
import { json } from '@sveltejs/kit';
import { getDb } from '#db';
import { translate } from '$lib/i18n/messages';
import { handleIngest } from '$lib/server/ingest/handle';
import { readBodyCapped } from '$lib/server/ingest/body';
import { RETRY_AFTER_SECONDS } from '$lib/server/outage';
import type { RequestHandler } from './$types';

/** Bodies are small JSON documents; anything larger is not from the payment core. */
const MAX_BODY_BYTES = 64 * 1024;

export const POST: RequestHandler = async ({ params, request }) => {
	const body = await readBodyCapped(request, MAX_BODY_BYTES);
	if (body.status === 'tooLarge')
		return json({ ok: false, code: 'BODY_TOO_LARGE', message: translate('zh-CN', 'ingest.bodyTooLarge') }, { status: 413 });
	if (body.status === 'unreadable')
		return json({ ok: false, code: 'BAD_JSON', message: translate('zh-CN', 'ingest.badJson') }, { status: 400 });
	const r = await handleIngest(getDb(), { method: request.method, kind: params.kind, body: body.text, headers: request.headers });
	return json(r.body, { status: r.status, headers: r.status === 429 || r.status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {} });
};
