import { callerFor } from '$lib/server/api/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const asked = Number(event.url.searchParams.get('page') ?? 1);
	const page = Number.isInteger(asked) && asked >= 1 && asked <= 100_000 ? asked : 1;
	const caller = callerFor(event);
	const [result, savedColumns] = await Promise.all([
		caller.exports.list({ page, pageSize: 20 }),
		// 筛选列: the columns this person chose, or null for all.
		caller.settings.getColumns({ list: 'exports' }).catch(() => null)
	]);
	return { page, result, savedColumns };
};
