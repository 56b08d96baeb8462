import { protectedProcedure } from '../../init';
import { statementRangeInput } from '$lib/schemas/statements';
import { requestStatementRange } from '$lib/server/statements/ranges';

/** 按日期范围: a range of closed days (≤31, or a whole month) as one file in 导出记录; a bulk download, so step-up. */
export const range = protectedProcedure
	.meta({ permission: 'statements.download', stepUp: true })
	.input(statementRangeInput)
	.mutation(({ ctx, input }) => requestStatementRange(ctx.db, ctx.auth, input, { ip: ctx.ip, userAgent: ctx.userAgent }));
