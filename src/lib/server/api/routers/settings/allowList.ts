import { allowListInput, type AllowListView } from '$lib/schemas/allow-list';
import { addressAllowed, readAllowList } from '$lib/server/auth/allow-list';
import { saveAllowList } from '$lib/server/settings/allow-list';
import { actorOf, protectedProcedure, router } from '../../init';

// 设置 → 登录地址白名单 (the admin's, like the merchant's two-factor policy): where the back
// office may be signed in from. Enforced at sign-in and on every request of a session
// (src/lib/server/auth/allow-list.ts).
const admin = protectedProcedure.meta({ permission: 'operators.manage' });

export const allowListRouter = router({
	get: admin.query(async ({ ctx }): Promise<AllowListView> => {
		const entries = await readAllowList(ctx.db, ctx.merchantId);
		return { entries, yourAddress: ctx.ip, youAreInside: addressAllowed(entries, ctx.ip) };
	}),

	/** Saves the whole list (empty: anywhere); see settings/allow-list.ts. */
	save: protectedProcedure
		.meta({ permission: 'operators.manage', stepUp: true })
		.input(allowListInput)
		.mutation(({ ctx, input }) => saveAllowList(ctx.db, actorOf(ctx), input))
});
