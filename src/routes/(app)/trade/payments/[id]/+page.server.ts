import { loadDetail } from '$lib/components/data-list/load.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({ payment: await loadDetail(event, (caller, id) => caller.payments.get({ id })) });
