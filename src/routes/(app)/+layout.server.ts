import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

// Helps the UI only: every procedure checks the session and permission again.
export const load: LayoutServerLoad = ({ locals, url }) => {
	// Reading the path makes this load run on every navigation, so a person whose session was
	// ended (disabled, roles changed, password reset) lands on /login at their very next click.
	void url.pathname;
	const auth = locals.auth;
	if (!auth) redirect(303, '/login');
	if (auth.staff.mustChangePassword) redirect(303, '/password/initial');
	// The merchant requires a second factor: nothing but enrolment until it is set up.
	if (auth.mustEnrolTwoFactor && url.pathname !== '/settings/two-factor') redirect(303, '/settings/two-factor');
	return {
		me: {
			name: auth.staff.name,
			merchantName: auth.staff.merchantName,
			merchantNo: auth.staff.merchantNo,
			isAdmin: auth.staff.isAdmin,
			permissions: [...auth.permissions]
		}
	};
};
