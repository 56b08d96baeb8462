import { ownSignInListInput, type SignInRow } from '$lib/schemas/sign-ins';
import type { ListPage } from '$lib/schemas/lists';
import { listSignIns } from '$lib/server/lists/sign-ins';
import { protectedProcedure } from '../../init';

/** 设置 → 登录记录: the signed-in person's own sign-ins, alerts and 找回密码 steps, newest first. */
export const ownSignIns = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(ownSignInListInput)
	.query(
		({ ctx, input }): Promise<ListPage<SignInRow>> =>
			listSignIns(ctx.db, ctx.merchantId, { ...input.filter, staffId: ctx.staffId }, input)
	);
