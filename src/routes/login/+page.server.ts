import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '#db';
import { callerFor, errorMessage } from '$lib/server/api/caller';
import { demoMode, recentOutbox } from '$lib/server/sms';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.auth) redirect(303, locals.auth.staff.mustChangePassword ? '/password/initial' : '/');
	// After 修改初始密码 or 找回密码 the page says why the person is back here.
	const notice = url.searchParams.get('changed') ? 'password.changedSignInAgain' : url.searchParams.get('reset') ? 'password.resetSignIn' : null;
	// Demo only: the outbox holds initial passwords and codes, so a newcomer can finish the flows.
	const demoOutbox = demoMode() ? await recentOutbox(getDb(), 5) : null;
	// The password was right and the second factor is still to come: the page asks for the code.
	const step: 'password' | 'code' = locals.pendingSignIn ? 'code' : 'password';
	return { locale: locals.locale, notice, demoOutbox, step } as const;
};

// The page signs in through the tRPC client; this action is the same sign-in for a browser
// that posts the form before the page's script has loaded (or without scripts at all).
export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		if (form.has('code')) {
			let mustChangePassword: boolean;
			try {
				({ mustChangePassword } = await callerFor(event).auth.verifySecondFactor({ code: String(form.get('code') ?? '') }));
			} catch (error) {
				return fail(400, { merchantNo: '', phone: '', message: errorMessage(error, event.locals.locale) });
			}
			redirect(303, mustChangePassword ? '/password/initial' : '/');
		}
		const merchantNo = String(form.get('merchantNo') ?? '');
		const phone = String(form.get('phone') ?? '');
		const password = String(form.get('password') ?? '');
		let answer: { mustChangePassword: boolean; secondFactorPending?: true };
		try {
			answer = await callerFor(event).auth.signIn({ merchantNo, phone, password });
		} catch (error) {
			return fail(400, { merchantNo, phone, message: errorMessage(error, event.locals.locale) });
		}
		redirect(303, answer.secondFactorPending ? '/login' : answer.mustChangePassword ? '/password/initial' : '/');
	}
};
