import { formatDateTime } from '$lib/time';
import { secondFactorCodeSchema } from '$lib/schemas/two-factor';
import type { CodeRefusal } from '$lib/server/auth/two-factor-enrolment';
import { confirmEnrolment, disableTwoFactor, regenerateRecoveryCodes, startEnrolment, twoFactorStatus } from '$lib/server/auth/two-factor-enrolment';
import { appError, protectedProcedure, router } from '../../init';

// 设置 → 二次验证, one's own. Everyone signed in may protect their own account ('authenticated'),
// and these are exactly what still works while the merchant requires enrolment.
const own = protectedProcedure.meta({ permission: 'authenticated', allowPendingEnrolment: true });

function refuseCode(result: CodeRefusal): never {
	if (result.reason === 'locked') throw appError('TOO_MANY_REQUESTS', 'auth.codeLocked', { until: formatDateTime(result.lockedUntil) });
	if (result.reason === 'ipThrottled') throw appError('TOO_MANY_REQUESTS', 'auth.ipThrottled', { until: formatDateTime(result.retryAfter) });
	throw appError('BAD_REQUEST', result.reason === 'codeReplayed' ? 'auth.codeReplayed' : 'auth.badCode');
}

export const twoFactorRouter = router({
	status: own.query(({ ctx }) => twoFactorStatus(ctx.db, ctx.auth)),

	/** A new key (QR code and text); nothing changes until `confirm` gets a code from it. */
	start: own.mutation(async ({ ctx }) => {
		const result = await startEnrolment(ctx.db, ctx.auth);
		if (!result.ok) throw appError('CONFLICT', 'twoFactor.alreadyEnabled');
		return { secret: result.secret, uri: result.uri, qrSvg: result.qrSvg, expiresAt: result.expiresAt };
	}),

	/**
	 * The first code: two-factor is on; the ten recovery codes are in this answer and nowhere else.
	 * Anything but the app's current code (a recovery code included: there are none yet) is a wrong code.
	 */
	confirm: own.input(secondFactorCodeSchema).mutation(async ({ ctx, input }) => {
		const result = await confirmEnrolment(ctx.db, ctx.auth, input.code, { ip: ctx.ip, userAgent: ctx.userAgent });
		if (!result.ok) {
			if (result.reason === 'notStarted') throw appError('CONFLICT', 'twoFactor.notStarted');
			refuseCode(result);
		}
		return { recoveryCodes: result.recoveryCodes };
	}),

	regenerateRecoveryCodes: protectedProcedure.meta({ permission: 'authenticated', stepUp: true }).mutation(async ({ ctx }) => {
		const result = await regenerateRecoveryCodes(ctx.db, ctx.auth, { ip: ctx.ip, userAgent: ctx.userAgent });
		if (!result.ok) throw appError('CONFLICT', 'twoFactor.notEnabled');
		return { recoveryCodes: result.recoveryCodes };
	}),

	/** Off, with a current code (or a recovery code); refused while the merchant requires it. */
	disable: protectedProcedure
		.meta({ permission: 'authenticated' })
		.input(secondFactorCodeSchema)
		.mutation(async ({ ctx, input }) => {
			const result = await disableTwoFactor(ctx.db, ctx.auth, input.code, { ip: ctx.ip, userAgent: ctx.userAgent });
			if (!result.ok) {
				if (result.reason === 'notEnabled') throw appError('CONFLICT', 'twoFactor.notEnabled');
				if (result.reason === 'required') throw appError('FORBIDDEN', 'twoFactor.requiredCannotDisable');
				refuseCode(result);
			}
			return { ok: true as const };
		})
});
