import { resetPasswordSchema } from '$lib/schemas/password';
import { resetPasswordWithCode } from '$lib/server/auth/reset';
import { formatDateTime } from '$lib/time';
import { appError, publicProcedure } from '../../init';

/** Code + new password twice → the password is set, the lock cleared, every session ended. */
export const resetProcedure = publicProcedure
	.meta({ permission: 'public' })
	.input(resetPasswordSchema)
	.mutation(async ({ ctx, input }) => {
		const result = await resetPasswordWithCode(ctx.db, input, { ip: ctx.ip, userAgent: ctx.userAgent });
		if (!result.ok) {
			if (result.reason === 'invalidCode') throw appError('BAD_REQUEST', 'password.forgot.codeInvalid');
			if (result.reason === 'tooManyAttempts')
				throw appError('TOO_MANY_REQUESTS', 'password.forgot.tooManyAttempts', { until: formatDateTime(result.retryAfter) });
			throw appError('BAD_REQUEST', result.problems[0] ?? 'error.badInput');
		}
		return { ok: true as const };
	});
