import { loadList } from '$lib/components/data-list/load.server';
import { defaultWithdrawalFilter, withdrawalFilterObject } from '$lib/schemas/withdrawals';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'withdrawals',
		defaults: defaultWithdrawalFilter(),
		schema: withdrawalFilterObject,
		list: (caller, input) => caller.withdrawals.list(input)
	});
