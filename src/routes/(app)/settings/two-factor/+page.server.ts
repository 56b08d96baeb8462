import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { callerFor, errorMessage } from '$lib/server/api/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	try {
		const caller = callerFor(event);
		const status = await caller.settings.twoFactor.status();
		// The admin also sets the merchant's policy here.
		const isAdmin = event.locals.auth?.staff.isAdmin ?? false;
		return { status, isAdmin, mustEnrol: event.locals.auth?.mustEnrolTwoFactor ?? false };
	} catch (e) {
		if (e instanceof TRPCError && (e.code === 'FORBIDDEN' || e.code === 'UNAUTHORIZED'))
			error(e.code === 'FORBIDDEN' ? 403 : 401, errorMessage(e, event.locals.locale));
		throw e;
	}
};
