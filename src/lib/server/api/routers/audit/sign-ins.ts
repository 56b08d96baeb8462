import { signInListInput, type SignInRow } from '$lib/schemas/sign-ins';
import type { ListPage } from '$lib/schemas/lists';
import { listSignIns } from '$lib/server/lists/sign-ins';
import { protectedProcedure } from '../../init';

/** 登录记录: every sign-in attempt and 找回密码 step against the merchant, newest first. */
export const signIns = protectedProcedure
	.meta({ permission: 'audit.read' })
	.input(signInListInput)
	.query(({ ctx, input }): Promise<ListPage<SignInRow>> => listSignIns(ctx.db, ctx.merchantId, input.filter, input));
