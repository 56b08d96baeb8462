import { protectedProcedure, appError } from '../../init';
import { inStatementWindow, statementRequestInput } from '$lib/schemas/statements';
import { writeAudit } from '$lib/server/audit';
import { upsertStatement } from '#jobs/statements/fan-out.ts';
import { enqueueOrLeaveToSweep, enqueueStatementBuild } from '$lib/server/queue/enqueue';

/** Builds a missing or failed day now (someone with the download permission asked). */
export const request = protectedProcedure
	.meta({ permission: 'statements.download' })
	.input(statementRequestInput)
	.mutation(async ({ ctx, input }) => {
		if (!inStatementWindow(input.date)) throw appError('BAD_REQUEST', 'statements.outOfRange');
		const row = await upsertStatement(ctx.db, ctx.merchantId, input.date, ctx.staffId);
		if (row.status === 'READY') return { status: row.status };
		if (row.status !== 'BUILDING' || row.abandoned) {
			// FAILED stays FAILED until a worker claims it (the claim accepts it); the button shows progress from then.
			if (row.status === 'FAILED')
				await ctx.db.updateTable('statements').set({ status: 'PENDING', error: null, rows_done: 0n }).where('id', '=', row.id).where('status', '=', 'FAILED').execute();
			await enqueueOrLeaveToSweep(`statement ${row.id}`, () => enqueueStatementBuild(row.id, ctx.merchantId, input.date));
			await writeAudit(ctx.db, {
				merchantId: ctx.merchantId,
				staffId: ctx.staffId,
				actorName: ctx.auth.staff.name,
				action: 'statements.request',
				targetType: 'statement',
				targetId: row.id,
				detail: { accountingDate: input.date },
				ip: ctx.ip,
				userAgent: ctx.userAgent
			});
		}
		return { status: row.status === 'FAILED' ? 'PENDING' : row.status };
	});
