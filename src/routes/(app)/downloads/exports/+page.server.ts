import { callerFor } from '$lib/server/api/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const asked = Number(event.url.searchParams.get('page') ?? 1);
	const page = Number.isInteger(asked) && asked >= 1 && asked <= 100_000 ? asked : 1;
	return { page, result: await callerFor(event).exports.list({ page, pageSize: 20 }) };
};
