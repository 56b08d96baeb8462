import { loadDetail } from '$lib/components/data-list/load.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({ refund: await loadDetail(event, (caller, id) => caller.refunds.get({ id })) });
