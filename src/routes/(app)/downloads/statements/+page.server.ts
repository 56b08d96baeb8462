import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { callerFor, errorMessage } from '$lib/server/api/caller';
import { statementWindow } from '$lib/schemas/statements';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const asked = event.url.searchParams.get('month');
	const month = asked && /^\d{4}-\d{2}$/.test(asked) ? asked : statementWindow().last.slice(0, 7);
	try {
		return { month, calendar: await callerFor(event).statements.month({ month }) };
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'FORBIDDEN') error(403, errorMessage(e, event.locals.locale));
		throw e;
	}
};
