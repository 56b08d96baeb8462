import { formatDateTime } from '$lib/time';
import { signInSchema } from '$lib/schemas/auth';
import { setSessionCookie } from '$lib/server/auth/cookie';
import { invalidateSession } from '$lib/server/auth/session';
import { signIn, signInFailureMessage } from '$lib/server/auth/sign-in';
import { appError, publicProcedure } from '../../init';

export const signInProcedure = publicProcedure
	.meta({ permission: 'public' })
	.input(signInSchema)
	.mutation(async ({ ctx, input }) => {
		const origin = { ip: ctx.ip, userAgent: ctx.userAgent };
		const result = await signIn(ctx.db, input, origin);
		if (!result.ok) {
			if (result.reason === 'locked')
				throw appError('TOO_MANY_REQUESTS', 'auth.locked', { until: formatDateTime(result.lockedUntil) });
			if (result.reason === 'ipThrottled')
				throw appError('TOO_MANY_REQUESTS', 'auth.ipThrottled', { until: formatDateTime(result.retryAfter) });
			if (result.reason === 'addressNotAllowed') throw appError('FORBIDDEN', 'auth.addressNotAllowed', { address: result.address || '?' });
			const code = result.reason === 'invalidCredentials' ? 'UNAUTHORIZED' : 'FORBIDDEN';
			throw appError(code, signInFailureMessage(result.reason));
		}
		// A new sign-in replaces whatever session this browser had (no session fixation).
		if (ctx.auth) await invalidateSession(ctx.db, ctx.auth.sessionId);
		if (ctx.pendingSignIn) await invalidateSession(ctx.db, ctx.pendingSignIn.sessionId);
		if (ctx.setCookie) setSessionCookie(ctx.setCookie, result.token, result.session.expiresAt);
		// With a second factor the cookie holds a half session: the page asks for the code next.
		const answer: { mustChangePassword: boolean; secondFactorPending?: true } = { mustChangePassword: result.staff.mustChangePassword };
		if (result.secondFactorPending) answer.secondFactorPending = true;
		return answer;
	});
