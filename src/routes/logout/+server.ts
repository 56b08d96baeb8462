import { redirect } from '@sveltejs/kit';
import { clientAddress } from '$lib/server/client-address';
import type { RequestHandler } from './$types';
import { getDb } from '#db';
import { cookieSecure } from '$lib/server/auth/config';
import { deleteSessionCookie } from '$lib/server/auth/cookie';
import { signOut } from '$lib/server/auth/sign-out';

// A plain form post from the header's 退出 button. The origin check in hooks.server.ts
// ($lib/server/csrf) refuses cross-site form posts, so another site cannot sign a person out.
export const POST: RequestHandler = async (event) => {
	const auth = event.locals.auth;
	if (auth) {
		await signOut(getDb(), auth, { ip: clientAddress(event), userAgent: event.request.headers.get('user-agent') });
	}
	deleteSessionCookie(event.cookies.set.bind(event.cookies), cookieSecure(event.url));
	redirect(303, '/login');
};
