import { protectedProcedure } from '../../init';
import { statementRequestInput } from '$lib/schemas/statements';
import { requestStatement } from '$lib/server/statements/requests';

/** Builds a missing or failed day now (someone with the download permission asked). */
export const request = protectedProcedure
	.meta({ permission: 'statements.download' })
	.input(statementRequestInput)
	.mutation(({ ctx, input }) =>
		requestStatement(ctx.db, { merchantId: ctx.merchantId, staffId: ctx.staffId, staffName: ctx.auth.staff.name, ip: ctx.ip, userAgent: ctx.userAgent }, input.date)
	);
