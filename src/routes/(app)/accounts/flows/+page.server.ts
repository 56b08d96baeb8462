import { loadList } from '$lib/components/data-list/load.server';
import { ACCOUNT_FLOW_TYPES, accountFlowFilterObject, defaultFlowFilter, type AccountFlowFilter } from '$lib/schemas/flows';
import type { PageServerLoad } from './$types';

const isAccount = (v: string | null): v is AccountFlowFilter['accountType'] => (ACCOUNT_FLOW_TYPES as readonly (string | null)[]).includes(v);

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'accountFlows',
		defaults: { ...defaultFlowFilter(), userNo: '' } as AccountFlowFilter,
		schema: accountFlowFilterObject,
		// The home cards link here as ?account=MCHOWN.
		adjust: (filter, params) => {
			const account = params.get('account');
			return !params.has('accountType') && isAccount(account) ? { ...filter, accountType: account } : filter;
		},
		list: (caller, input) => caller.accounts.flows(input)
	});
