import { sql } from 'kysely';
import { protectedProcedure } from '../../init';
import { dailyInOutInput, type DailyInOut, type DailyInOutDay } from '$lib/schemas/accounts';
import { addDays, businessDate, startOfBusinessDate } from '$lib/time';
import { merchantAccounts } from './merchantAccounts';

// A posting's accounting date can trail its creation (a late-night payment booked next day,
// the end-of-day settlement run after midnight); this slack keeps the created_at bound
// (which lets the (merchant_id, account_id, created_at) index do the work) from cutting them off.
const CREATED_AT_SLACK_DAYS = 3;

/**
 * 入账 / 出账 per Asia/Shanghai accounting date over the merchant's four own accounts,
 * today included, with empty days filled with zero. The end-of-day settlement only moves
 * money from 待结算 to 可用 inside one account, so it is neither money in nor money out.
 */
export const dailyInOut = protectedProcedure
	.meta({ permission: 'accounts.read' })
	.input(dailyInOutInput)
	.query(async ({ ctx, input }): Promise<DailyInOut> => {
		const to = businessDate();
		const from = addDays(to, -(input.days - 1));
		const accountIds = (await merchantAccounts(ctx.db, ctx.merchantId)).map((a) => a.id);

		const sums = new Map<string, { credit: bigint; debit: bigint }>();
		if (accountIds.length > 0) {
			const rows = await ctx.db
				.selectFrom('fund_flows')
				.select([
					'accounting_date',
					sql<bigint>`coalesce(sum(amount) filter (where direction = 'CREDIT'), 0)::bigint`.as('credit'),
					sql<bigint>`coalesce(sum(amount) filter (where direction = 'DEBIT'), 0)::bigint`.as('debit')
				])
				.where('merchant_id', '=', ctx.merchantId)
				.where('account_id', 'in', accountIds)
				.where('created_at', '>=', startOfBusinessDate(addDays(from, -CREATED_AT_SLACK_DAYS)))
				.where('accounting_date', '>=', from)
				.where('accounting_date', '<=', to)
				.where('txn_type', '<>', 'DAILY_SETTLEMENT')
				.groupBy('accounting_date')
				.execute();
			for (const r of rows) sums.set(r.accounting_date, { credit: r.credit, debit: r.debit });
		}

		const days: DailyInOutDay[] = [];
		const totals = { credit: 0n, debit: 0n };
		for (let i = 0; i < input.days; i++) {
			const date = addDays(from, i);
			const s = sums.get(date) ?? { credit: 0n, debit: 0n };
			days.push({ date, credit: s.credit, debit: s.debit });
			totals.credit += s.credit;
			totals.debit += s.debit;
		}
		return { from, to, days, totals };
	});
