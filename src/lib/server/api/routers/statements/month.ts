import { protectedProcedure } from '../../init';
import { statementMonthInput } from '$lib/schemas/statements';
import { statementMonth } from '$lib/server/statements/calendar';

/** One month of the 对账单下载 calendar: each day's state, build progress and file ids. */
export const month = protectedProcedure
	.meta({ permission: 'statements.download' })
	.input(statementMonthInput)
	.query(({ ctx, input }) => statementMonth(ctx.db, ctx.merchantId, input.month));
