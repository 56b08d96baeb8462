import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// Helps the UI only: password.changeInitial checks the session and the pending flag itself.
export const load: PageServerLoad = ({ locals }) => {
	const auth = locals.auth;
	if (!auth) redirect(303, '/login');
	if (!auth.staff.mustChangePassword) redirect(303, '/');
	// The person's own phone, so the "not your phone number" rule can be shown as they type.
	return { name: auth.staff.name, merchantName: auth.staff.merchantName, phone: auth.staff.phone };
};
