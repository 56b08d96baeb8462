import { loadList } from '$lib/components/data-list/load.server';
import { SIGN_IN_EVENTS, SIGN_IN_RESULTS } from '$lib/schemas/sign-ins';
import type { PageServerLoad } from './$types';

// 设置 → 登录记录: the same list as the admin's 登录记录, of one's own rows only.
const defaults = { event: '', result: '', from: '', to: '' };
const oneOf = <T extends string>(values: readonly T[], v: string): T | '' => ((values as readonly string[]).includes(v) ? (v as T) : '');

export const load: PageServerLoad = (event) =>
	loadList(event, {
		listKey: 'ownSignIns',
		defaults,
		list: (caller, { filter, page, pageSize }) =>
			caller.settings.signIns({
				filter: { event: oneOf(SIGN_IN_EVENTS, filter.event), result: oneOf(SIGN_IN_RESULTS, filter.result), from: filter.from, to: filter.to },
				page,
				pageSize
			})
	});
