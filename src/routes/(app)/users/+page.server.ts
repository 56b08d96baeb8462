import { loadList } from '$lib/components/data-list/load.server';
import { defaultUserFilter, userFilterObject } from '$lib/schemas/users';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'users',
		defaults: defaultUserFilter(),
		schema: userFilterObject,
		list: (caller, input) => caller.users.list(input)
	});
