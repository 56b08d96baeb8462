import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { callerFor, errorMessage } from '$lib/server/api/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	try {
		return { allowList: await callerFor(event).settings.allowList.get() };
	} catch (e) {
		if (e instanceof TRPCError && (e.code === 'FORBIDDEN' || e.code === 'UNAUTHORIZED'))
			error(e.code === 'FORBIDDEN' ? 403 : 401, errorMessage(e, event.locals.locale));
		throw e;
	}
};
