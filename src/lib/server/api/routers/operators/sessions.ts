import { operatorIdInput } from '$lib/schemas/operators';
import { listDevices } from '$lib/server/auth/devices';
import { invalidateStaffSessions } from '$lib/server/auth/session';
import { protectedProcedure } from '../../init';
import { auditChange } from '../audit/record';
import { lockOperator } from './operatorRecord';

/** An operator's signed-in devices, as they see them in 登录设备. */
export const sessions = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.query(async ({ ctx, input }) => {
		// The same lookup the changes use: another merchant's staff and the admin read as not found.
		const operator = await ctx.db.transaction().execute((tx) => lockOperator(tx, ctx.merchantId, input.id));
		return listDevices(ctx.db, operator.id, null);
	});

/** 全部退出: ends every session of the operator; each browser is signed out at its next request. */
export const endSessions = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.mutation(async ({ ctx, input }) => {
		return ctx.db.transaction().execute(async (tx) => {
			const before = await lockOperator(tx, ctx.merchantId, input.id);
			const count = await tx.selectFrom('sessions').select((eb) => eb.fn.countAll<string>().as('n')).where('staff_id', '=', before.id).executeTakeFirstOrThrow();
			await invalidateStaffSessions(tx, before.id);
			await auditChange(ctx, tx, 'operators.endSessions', { type: 'staff', id: before.id }, { name: before.name, sessionsEnded: Number(count.n) });
			return { ended: Number(count.n) };
		});
	});
