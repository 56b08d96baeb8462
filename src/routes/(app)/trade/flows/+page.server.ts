import { loadList } from '$lib/components/data-list/load.server';
import { defaultFlowFilter, flowFilterObject } from '$lib/schemas/flows';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'flows',
		defaults: defaultFlowFilter(),
		schema: flowFilterObject,
		list: (caller, input) => caller.flows.list(input)
	});
