import { ownProfile } from '$lib/server/settings/profile';
import { protectedProcedure } from '../../init';

/** 个人信息: the signed-in person only (no input, so nobody else's profile can be named). */
export const profileProcedure = protectedProcedure.meta({ permission: 'settings.profile' }).query(({ ctx }) => ownProfile(ctx.db, ctx.merchantId, ctx.staffId));
