import { loadList } from '$lib/components/data-list/load.server';
import { callerFor } from '$lib/server/api/caller';
import { idParam } from '$lib/schemas/common';
import type { PageServerLoad } from './$types';

const defaults = { name: '', phone: '', status: '', roleId: '' };

export const load: PageServerLoad = async (event) => {
	const [list, roles] = await Promise.all([
		loadList(event, {
			listKey: 'operators',
			defaults,
			list: (caller, { filter, page, pageSize }) =>
				caller.operators.list({
					filter: {
						name: filter.name,
						phone: filter.phone,
						status: filter.status as 'ACTIVE' | 'DISABLED' | '',
						roleId: idParam(filter.roleId)
					},
					page,
					pageSize
				})
		}),
		// Every role of the merchant, for the filter and the role pickers.
		callerFor(event).roles.list({ filter: {}, page: 1, pageSize: 100 })
	]);
	return { ...list, roles: roles.rows.map((r) => ({ id: r.id, name: r.name, status: r.status })) };
};
