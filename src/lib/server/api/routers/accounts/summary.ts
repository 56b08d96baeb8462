import { protectedProcedure } from '../../init';
import { MERCHANT_ACCOUNT_TYPES, type AccountBalance } from '$lib/schemas/accounts';
import { merchantAccounts } from './merchantAccounts';

/** The four balance cards of the home page, in fen. */
export const summary = protectedProcedure
	.meta({ permission: 'accounts.read' })
	.query(async ({ ctx }): Promise<{ accounts: AccountBalance[] }> => {
		const rows = await merchantAccounts(ctx.db, ctx.merchantId);
		const accounts = MERCHANT_ACCOUNT_TYPES.map((accountType): AccountBalance => {
			const mine = rows.filter((r) => r.account_type === accountType);
			const psettle = mine.find((r) => r.sub_type === 'PSETTLE')?.balance ?? 0n;
			const available = mine.find((r) => r.sub_type === 'AVAILABLE')?.balance ?? 0n;
			// The account's state is the worst of its two halves; AVAILABLE is what the merchant spends.
			const state = mine.find((r) => r.state !== 'NORMAL')?.state ?? mine[0]?.state ?? null;
			return { accountType, psettle, available, total: psettle + available, state };
		});
		return { accounts };
	});
