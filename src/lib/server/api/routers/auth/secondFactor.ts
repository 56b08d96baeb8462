import { formatDateTime } from '$lib/time';
import { secondFactorCodeSchema } from '$lib/schemas/two-factor';
import { deleteSessionCookie, setSessionCookie } from '$lib/server/auth/cookie';
import { abandonSecondFactorSignIn, completeSecondFactorSignIn } from '$lib/server/auth/second-factor-sign-in';
import { appError, publicProcedure } from '../../init';

/**
 * The code step of sign-in. Public: the caller holds only a half session (password right, code
 * to come), which is no signed-in person; without one there is nothing to complete.
 */
export const verifySecondFactorProcedure = publicProcedure
	.meta({ permission: 'public' })
	.input(secondFactorCodeSchema)
	.mutation(async ({ ctx, input }) => {
		const pending = ctx.pendingSignIn;
		if (!pending) throw appError('UNAUTHORIZED', 'auth.secondFactorExpired');
		const result = await completeSecondFactorSignIn(ctx.db, pending, input.code, { ip: ctx.ip, userAgent: ctx.userAgent });
		if (!result.ok) {
			if (result.reason === 'locked') throw appError('TOO_MANY_REQUESTS', 'auth.codeLocked', { until: formatDateTime(result.lockedUntil) });
			if (result.reason === 'ipThrottled') throw appError('TOO_MANY_REQUESTS', 'auth.ipThrottled', { until: formatDateTime(result.retryAfter) });
			throw appError('UNAUTHORIZED', result.reason === 'codeReplayed' ? 'auth.codeReplayed' : 'auth.badCode');
		}
		if (ctx.setCookie) setSessionCookie(ctx.setCookie, result.token, result.session.expiresAt);
		return { mustChangePassword: result.mustChangePassword };
	});

/** 返回 from the code step: the half session ends and the cookie goes. */
export const cancelSignInProcedure = publicProcedure.meta({ permission: 'public' }).mutation(async ({ ctx }) => {
	if (ctx.pendingSignIn) await abandonSecondFactorSignIn(ctx.db, ctx.pendingSignIn);
	if (ctx.setCookie) deleteSessionCookie(ctx.setCookie);
	return { ok: true as const };
});
