import { loadList } from '$lib/components/data-list/load.server';
import type { PageServerLoad } from './$types';

const defaults = { name: '', status: '' };

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'roles',
		defaults,
		list: (caller, { filter, page, pageSize }) =>
			caller.roles.list({ filter: { name: filter.name, status: filter.status as 'ENABLED' | 'DISABLED' | '' }, page, pageSize })
	});
