import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// /settings itself has no page: open whichever settings page the person may use.
export const load: PageServerLoad = async ({ parent }) => {
	const { me } = await parent();
	redirect(303, me.permissions.includes('settings.profile') ? '/settings/profile' : '/settings/password');
};
