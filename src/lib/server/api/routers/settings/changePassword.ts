import { changePasswordSchema } from '$lib/schemas/password';
import { changePassword } from '$lib/server/auth/change-password';
import { formatDateTime } from '$lib/time';
import { appError, protectedProcedure } from '../../init';

/** 设置 → 修改密码: this browser stays signed in; every other session of the person ends. */
export const changePasswordProcedure = protectedProcedure
	.meta({ permission: 'settings.password' })
	.input(changePasswordSchema)
	.mutation(async ({ ctx, input }) => {
		const result = await changePassword(ctx.db, ctx.auth, input, { ip: ctx.ip, userAgent: ctx.userAgent }, {
			keepCurrentSession: true,
			kind: 'settings'
		});
		if (!result.ok) {
			if (result.reason === 'oldWrong') throw appError('BAD_REQUEST', 'password.oldWrong');
			if (result.reason === 'tooManyAttempts')
				throw appError('TOO_MANY_REQUESTS', 'password.tooManyAttempts', { until: formatDateTime(result.retryAfter) });
			throw appError('BAD_REQUEST', result.problems[0] ?? 'error.badInput');
		}
		return { ok: true as const };
	});
