import { changePasswordSchema } from '$lib/schemas/password';
import { changePassword } from '$lib/server/auth/change-password';
import { deleteSessionCookie } from '$lib/server/auth/cookie';
import { formatDateTime } from '$lib/time';
import { appError, protectedProcedure } from '../../init';

/**
 * 修改初始密码: the one thing a person with a pending initial password may do. Every session
 * ends, this one included: the person signs in again with the new password.
 */
export const changeInitialProcedure = protectedProcedure
	.meta({ permission: 'authenticated', allowPendingPasswordChange: true })
	.input(changePasswordSchema)
	.mutation(async ({ ctx, input }) => {
		// Everyone else changes their password under 设置, which needs settings.password.
		if (!ctx.auth.staff.mustChangePassword) throw appError('FORBIDDEN', 'error.forbidden');
		const result = await changePassword(ctx.db, ctx.auth, input, { ip: ctx.ip, userAgent: ctx.userAgent }, {
			keepCurrentSession: false,
			kind: 'initial'
		});
		if (!result.ok) {
			if (result.reason === 'oldWrong') throw appError('BAD_REQUEST', 'password.oldWrong');
			if (result.reason === 'tooManyAttempts')
				throw appError('TOO_MANY_REQUESTS', 'password.tooManyAttempts', { until: formatDateTime(result.retryAfter) });
			throw appError('BAD_REQUEST', result.problems[0] ?? 'error.badInput');
		}
		if (ctx.setCookie) deleteSessionCookie(ctx.setCookie);
		return { ok: true as const };
	});
