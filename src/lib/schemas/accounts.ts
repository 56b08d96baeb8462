import { z } from 'zod';

/** The merchant's own accounts, in the order the home page shows them (SPEC §2). */
export const MERCHANT_ACCOUNT_TYPES = ['MCHCOUPON', 'MCHFEE', 'MCHOWN', 'MCHASSURE'] as const;
export type MerchantAccountType = (typeof MERCHANT_ACCOUNT_TYPES)[number];

export const dailyInOutInput = z
	.object({ days: z.number().int().min(7).max(90).default(30) })
	.default({ days: 30 });

export interface AccountBalance {
	accountType: MerchantAccountType;
	/** 待结算 */
	psettle: bigint;
	/** 可用 */
	available: bigint;
	/** 总金额 = 待结算 + 可用 */
	total: bigint;
	/** The account's state (NORMAL, LOCK, …); null when the merchant has no such account yet. */
	state: string | null;
}

export interface DailyInOutDay {
	/** Asia/Shanghai accounting date, 'YYYY-MM-DD'. */
	date: string;
	/** 入账, fen */
	credit: bigint;
	/** 出账, fen */
	debit: bigint;
}

export interface DailyInOut {
	from: string;
	to: string;
	days: DailyInOutDay[];
	totals: { credit: bigint; debit: bigint };
}
