import type { IncomingMessage } from 'node:http';
import { clientAddress } from '$lib/server/client-address';
import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDb } from '#db';
import { translate } from '$lib/i18n/messages';
import { writeAudit } from '$lib/server/audit';
import { authorizeFileDownload } from '$lib/server/downloads';
import { fileResponse } from '$lib/server/files/http';
import { activeLog } from '$lib/server/log';
import { isOutage, unavailableResponse } from '$lib/server/outage';

// Stored files (statements, exports), streamed from Postgres with Range support. The session
// is checked here again: the (app) layout helps the UI, it is not the security boundary.
const serve: RequestHandler = async (event) => {
	try {
		return await download(event);
	} catch (err) {
		// Postgres down, or every file connection busy past the wait: come back shortly.
		if (!isOutage(err)) throw err;
		activeLog().error(`[files] ${event.request.method} ${event.url.pathname} unavailable: ${(err as Error).message}`);
		return unavailableResponse(event.locals.locale, event.request);
	}
};

function downloadIdleMs(): number {
	const n = Number(process.env.DOWNLOAD_IDLE_MS ?? 30_000);
	return Number.isInteger(n) && n > 0 ? n : 30_000;
}

const download: RequestHandler = async (event) => {
	const auth = event.locals.auth;
	const locale = event.locals.locale;
	if (!auth) error(401, translate(locale, 'error.unauthorized'));
	if (!/^\d{1,18}$/.test(event.params.id)) error(404, translate(locale, 'error.notFound'));
	const db = getDb();
	const grant = await authorizeFileDownload(db, auth, BigInt(event.params.id));
	if (!grant) error(404, translate(locale, 'error.notFound'));
	// A resumed download (Range) or a HEAD probe is not a new download. The audit row and the
	// file's first window are written and read side by side; the response goes out once both are.
	const audited =
		event.request.method === 'GET' && !event.request.headers.get('range')
			? writeAudit(db, {
					merchantId: auth.staff.merchantId,
					staffId: auth.staff.id,
					actorName: auth.staff.name,
					action: grant.auditAction,
					targetType: grant.targetType,
					targetId: grant.targetId,
					detail: { ...grant.detail, fileId: grant.file.id.toString(), name: grant.file.name },
					ip: clientAddress(event),
					userAgent: event.request.headers.get('user-agent')
				})
			: Promise.resolve();
	// adapter-node's platform is the Node request (tests and the dev server may have none): a client
	// that takes no data for DOWNLOAD_IDLE_MS has its connection ended.
	const socket = (event.platform as { req?: IncomingMessage } | undefined)?.req?.socket;
	const response = fileResponse(grant.file, event.request, socket ? { idleMs: downloadIdleMs(), onStall: () => socket.destroy() } : undefined);
	const [audit, res] = await Promise.allSettled([audited, response]);
	if (audit.status === 'rejected') {
		// Not audited, not served: the window read for it is dropped.
		if (res.status === 'fulfilled') await res.value.body?.cancel();
		throw audit.reason;
	}
	if (res.status === 'rejected') throw res.reason;
	return res.value;
};

export const GET = serve;
export const HEAD = serve;
