import { formatDateTime } from '$lib/time';
import { stepUpSchema } from '$lib/schemas/two-factor';
import { stepUp } from '$lib/server/auth/step-up';
import { appError, protectedProcedure } from '../../init';

/** 验证身份: the password or a code again, so step-up procedures go through for 5 minutes. */
export const stepUpProcedure = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(stepUpSchema)
	.mutation(async ({ ctx, input }) => {
		const proof = input.method === 'password' ? { password: input.value } : { code: input.value };
		const result = await stepUp(ctx.db, ctx.auth, proof, { ip: ctx.ip, userAgent: ctx.userAgent });
		if (!result.ok) {
			if (result.reason === 'locked') throw appError('TOO_MANY_REQUESTS', 'stepUp.locked', { until: formatDateTime(result.lockedUntil) });
			if (result.reason === 'ipThrottled') throw appError('TOO_MANY_REQUESTS', 'auth.ipThrottled', { until: formatDateTime(result.retryAfter) });
			const key = result.reason === 'wrongPassword' ? 'stepUp.wrongPassword' : result.reason === 'codeReplayed' ? 'auth.codeReplayed' : 'auth.badCode';
			throw appError('BAD_REQUEST', key);
		}
		return { verifiedAt: result.verifiedAt };
	});
