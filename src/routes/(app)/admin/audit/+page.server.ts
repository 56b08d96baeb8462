import { loadList } from '$lib/components/data-list/load.server';
import { callerFor } from '$lib/server/api/caller';
import { idParam } from '$lib/schemas/common';
import type { PageServerLoad } from './$types';

const defaults = { staffId: '', action: '', from: '', to: '' };

export const load: PageServerLoad = async (event) => {
	const [list, people] = await Promise.all([
		loadList(event, {
			listKey: 'audit',
			defaults,
			list: (caller, { filter, page, pageSize }) =>
				caller.audit.list({
					filter: {
						staffId: idParam(filter.staffId),
						action: filter.action,
						from: filter.from,
						to: filter.to
					},
					page,
					pageSize
				})
		}),
		callerFor(event).audit.people()
	]);
	return { ...list, people };
};
