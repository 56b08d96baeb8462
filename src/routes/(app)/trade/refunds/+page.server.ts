import { loadList } from '$lib/components/data-list/load.server';
import { defaultRefundFilter, refundFilterObject } from '$lib/schemas/refunds';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'refunds',
		defaults: defaultRefundFilter(),
		schema: refundFilterObject,
		list: (caller, input) => caller.refunds.list(input)
	});
