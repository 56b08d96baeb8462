import { loadList } from '$lib/components/data-list/load.server';
import { defaultPaymentFilter, paymentFilterObject } from '$lib/schemas/payments';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'payments',
		defaults: defaultPaymentFilter(),
		schema: paymentFilterObject,
		list: (caller, input) => caller.payments.list(input)
	});
