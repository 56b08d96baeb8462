import { operatorIdInput } from '$lib/schemas/operators';
import { protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';
import { isLocked, lockOperator } from './operatorRecord';

/** 解锁: clears the failed sign-in count and the lock, so the operator may try again now. */
export const unlock = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.mutation(async ({ ctx, input }) => {
		return ctx.db.transaction().execute(async (tx) => {
			const before = await lockOperator(tx, ctx.merchantId, input.id);
			await tx
				.updateTable('staff')
				.set({ failed_attempts: 0, locked_until: null, updated_at: new Date() })
				.where('merchant_id', '=', ctx.merchantId)
				.where('id', '=', before.id)
				.execute();
			await auditChange(ctx, tx, 'operators.unlock', { type: 'staff', id: before.id }, {
				before: { locked: isLocked(before.lockedUntil), lockedUntil: before.lockedUntil?.toISOString() ?? null, failedAttempts: before.failedAttempts },
				after: { locked: false, lockedUntil: null, failedAttempts: 0 },
				name: before.name
			});
			return { id: before.id };
		});
	});
