// 连连公钥下载: the platform's public key as a .pem file, for those who may use the 连连账户+ tab.
import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { callerFor } from '$lib/server/api/caller';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	if (!event.locals.auth) error(401, 'error.unauthorized');
	try {
		// Through the procedure, so the session, the pending-password rule and the permission are checked as for the tab.
		const view = await callerFor(event).keys.platform.get();
		return new Response(view.platformPublicKeyPem, {
			headers: {
				'content-type': 'application/x-pem-file; charset=utf-8',
				'content-disposition': 'attachment; filename="platform_public_key.pem"',
				'cache-control': 'no-store'
			}
		});
	} catch (e) {
		if (e instanceof TRPCError && (e.code === 'FORBIDDEN' || e.code === 'UNAUTHORIZED')) error(e.code === 'FORBIDDEN' ? 403 : 401, e.message);
		throw e;
	}
};
