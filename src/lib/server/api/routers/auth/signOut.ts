import { deleteSessionCookie } from '$lib/server/auth/cookie';
import { signOut } from '$lib/server/auth/sign-out';
import { protectedProcedure } from '../../init';

export const signOutProcedure = protectedProcedure
	.meta({ permission: 'authenticated', allowPendingPasswordChange: true, allowPendingEnrolment: true })
	.mutation(async ({ ctx }) => {
		await signOut(ctx.db, ctx.auth, { ip: ctx.ip, userAgent: ctx.userAgent });
		if (ctx.setCookie) deleteSessionCookie(ctx.setCookie);
		return { ok: true as const };
	});
