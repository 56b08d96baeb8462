import { resetCodeRequestSchema } from '$lib/schemas/password';
import { requestResetCode } from '$lib/server/auth/reset';
import { appError, publicProcedure } from '../../init';

/** 获取验证码: the same answer whether or not the phone has an account here. */
export const requestCodeProcedure = publicProcedure
	.meta({ permission: 'public' })
	.input(resetCodeRequestSchema)
	.mutation(async ({ ctx, input }) => {
		const result = await requestResetCode(ctx.db, input, { ip: ctx.ip, userAgent: ctx.userAgent });
		if (!result.ok) {
			if (result.reason === 'tooSoon')
				throw appError('TOO_MANY_REQUESTS', 'password.forgot.tooSoon', { seconds: result.retryAfterSeconds });
			throw appError('TOO_MANY_REQUESTS', 'password.forgot.rateLimited');
		}
		return { cooldownSeconds: result.cooldownSeconds, ttlMinutes: result.ttlMinutes };
	});
