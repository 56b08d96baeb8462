import { error } from '@sveltejs/kit';
import { translate } from '$lib/i18n/messages';
import type { PageServerLoad } from './$types';

// Helps the UI only: settings.changePassword checks the permission itself.
export const load: PageServerLoad = async ({ parent, locals }) => {
	const { me } = await parent();
	if (!me.permissions.includes('settings.password')) error(403, translate(locals.locale, 'error.forbidden'));
	// The person's own phone, so the "not your phone number" rule shows as they type.
	return { phone: locals.auth?.staff.phone ?? null };
};
