import { loadDetail } from '$lib/components/data-list/load.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({ user: await loadDetail(event, (caller, id) => caller.users.get({ id })) });
