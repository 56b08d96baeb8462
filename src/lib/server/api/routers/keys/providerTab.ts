// One tab of 支付密钥管理 (微信 or 支付宝): its list, one entry, save (添加/编辑) and 启用/停用,
// all behind the tab's own write permission.
import { z } from 'zod';
import type { Permission } from '$lib/permissions';
import { idSchema } from '$lib/schemas/common';
import { alipayKeyInput, setKeyStatusInput, wechatKeyInput, type KeyProvider } from '$lib/schemas/keys';
import { getKey, listKeys, saveAlipayKey, saveWechatKey, setKeyStatus } from '$lib/server/keys/payment-keys';
import { actorOf, appError, protectedProcedure, router, type ProtectedContext } from '../../init';

const idInput = z.object({ id: idSchema });

function tabProcedures(provider: KeyProvider, permission: Permission) {
	const procedure = protectedProcedure.meta({ permission });

	/** The entry, only if it is this merchant's and this tab's (the other tab's id is NOT_FOUND too). */
	const entryOf = async (ctx: ProtectedContext, id: bigint) => {
		const entry = await getKey(ctx.db, ctx.merchantId, id);
		if (entry.provider !== provider) throw appError('NOT_FOUND', 'error.notFound');
		return entry;
	};

	return {
		list: procedure.query(({ ctx }) => listKeys(ctx.db, ctx.merchantId, provider)),
		get: procedure.input(idInput).query(({ ctx, input }) => entryOf(ctx, input.id)),
		setStatus: procedure
			.meta({ stepUp: true })
			.input(setKeyStatusInput).mutation(async ({ ctx, input }) => {
			await entryOf(ctx, input.id);
			return setKeyStatus(ctx.db, actorOf(ctx), input.id, input.status);
		})
	};
}

/** 微信: 添加微信商户号 / 编辑 (an empty secret keeps the saved one). */
export const wechatRouter = router({
	...tabProcedures('WECHAT', 'keys.wechat.write'),
	save: protectedProcedure
		.meta({ permission: 'keys.wechat.write', stepUp: true })
		.input(wechatKeyInput)
		.mutation(({ ctx, input }) => saveWechatKey(ctx.db, actorOf(ctx), input))
});

/** 支付宝: 添加合作者身份(PID) / 编辑. */
export const alipayRouter = router({
	...tabProcedures('ALIPAY', 'keys.alipay.write'),
	save: protectedProcedure
		.meta({ permission: 'keys.alipay.write', stepUp: true })
		.input(alipayKeyInput)
		.mutation(({ ctx, input }) => saveAlipayKey(ctx.db, actorOf(ctx), input))
});
