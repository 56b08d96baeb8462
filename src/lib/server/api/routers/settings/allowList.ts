import { allowListInput, type AllowListView } from '$lib/schemas/allow-list';
import { addressAllowed, normalizeAllowList, readAllowList } from '$lib/server/auth/allow-list';
import { appError, protectedProcedure, router } from '../../init';
import { auditChange } from '../audit/record';

// 设置 → 登录地址白名单 (the admin's, like the merchant's two-factor policy): where the back
// office may be signed in from. Enforced at sign-in and on every request of a session
// (src/lib/server/auth/allow-list.ts).
const admin = protectedProcedure.meta({ permission: 'operators.manage' });

export const allowListRouter = router({
	get: admin.query(async ({ ctx }): Promise<AllowListView> => {
		const entries = await readAllowList(ctx.db, ctx.merchantId);
		return { entries, yourAddress: ctx.ip, youAreInside: addressAllowed(entries, ctx.ip) };
	}),

	/**
	 * Saves the whole list (empty: anywhere). A list that leaves out the admin's own address
	 * signs the admin out too, so it needs confirmExcludesSelf; everyone outside it is signed
	 * out at their next request.
	 */
	save: protectedProcedure
		.meta({ permission: 'operators.manage', stepUp: true })
		.input(allowListInput)
		.mutation(async ({ ctx, input }): Promise<AllowListView> => {
			const entries = normalizeAllowList(input.entries);
			const youAreInside = addressAllowed(entries, ctx.ip);
			if (!youAreInside && !input.confirmExcludesSelf) throw appError('CONFLICT', 'allowList.excludesYou', { address: ctx.ip ?? '?' });
			return ctx.db.transaction().execute(async (tx) => {
				const before = await tx.selectFrom('merchants').select('sign_in_allow_list').where('id', '=', ctx.merchantId).forUpdate().executeTakeFirstOrThrow();
				const same = before.sign_in_allow_list.length === entries.length && before.sign_in_allow_list.every((e, i) => e === entries[i]);
				if (!same) {
					await tx.updateTable('merchants').set({ sign_in_allow_list: entries }).where('id', '=', ctx.merchantId).execute();
					await auditChange(ctx, tx, 'allowList.update', { type: 'merchant', id: ctx.merchantId }, {
						before: { entries: before.sign_in_allow_list },
						after: { entries },
						...(youAreInside ? {} : { excludesOwnAddress: ctx.ip })
					});
				}
				return { entries, yourAddress: ctx.ip, youAreInside };
			});
		})
});
