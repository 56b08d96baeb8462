import { loadList } from '$lib/components/data-list/load.server';
import { callerFor } from '$lib/server/api/caller';
import { SIGN_IN_EVENTS, SIGN_IN_RESULTS } from '$lib/schemas/sign-ins';
import { idParam } from '$lib/schemas/common';
import type { PageServerLoad } from './$types';

const defaults = { staffId: '', event: '', result: '', from: '', to: '' };
const oneOf = <T extends string>(values: readonly T[], v: string): T | '' => ((values as readonly string[]).includes(v) ? (v as T) : '');

export const load: PageServerLoad = async (event) => {
	const [list, people] = await Promise.all([
		loadList(event, {
			listKey: 'signIns',
			defaults,
			list: (caller, { filter, page, pageSize }) =>
				caller.audit.signIns({
					filter: {
						staffId: idParam(filter.staffId),
						event: oneOf(SIGN_IN_EVENTS, filter.event),
						result: oneOf(SIGN_IN_RESULTS, filter.result),
						from: filter.from,
						to: filter.to
					},
					page,
					pageSize
				})
		}),
		callerFor(event).audit.people()
	]);
	return { ...list, people };
};
