import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { callerFor, errorMessage } from '$lib/server/api/caller';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.auth) redirect(303, locals.auth.staff.mustChangePassword ? '/password/initial' : '/');
	return { locale: locals.locale };
};

// The page signs in through the tRPC client; this action is the same sign-in for a browser
// that posts the form before the page's script has loaded (or without scripts at all).
export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const merchantNo = String(form.get('merchantNo') ?? '');
		const phone = String(form.get('phone') ?? '');
		const password = String(form.get('password') ?? '');
		let mustChangePassword: boolean;
		try {
			({ mustChangePassword } = await callerFor(event).auth.signIn({ merchantNo, phone, password }));
		} catch (error) {
			return fail(400, { merchantNo, phone, message: errorMessage(error, event.locals.locale) });
		}
		redirect(303, mustChangePassword ? '/password/initial' : '/');
	}
};
