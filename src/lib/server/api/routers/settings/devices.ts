import { deviceIdInput } from '$lib/schemas/devices';
import { endDevice, endOtherDevices, listDevices } from '$lib/server/auth/devices';
import { appError, protectedProcedure, router } from '../../init';

// 设置 → 登录设备, one's own sessions only: every query is scoped to the signed-in person.
const own = protectedProcedure.meta({ permission: 'authenticated' });

export const devicesRouter = router({
	list: own.query(({ ctx }) => listDevices(ctx.db, ctx.staffId, ctx.auth.sessionId)),

	/** 退出 on one device: that browser is signed out at its next request. */
	end: own.input(deviceIdInput).mutation(async ({ ctx, input }) => {
		if (!(await endDevice(ctx.db, ctx.auth, input.id, { ip: ctx.ip, userAgent: ctx.userAgent }))) throw appError('NOT_FOUND', 'devices.notFound');
		return { ok: true as const };
	}),

	/** 退出其他设备. */
	endOthers: own.mutation(async ({ ctx }) => ({ ended: await endOtherDevices(ctx.db, ctx.auth, { ip: ctx.ip, userAgent: ctx.userAgent }) }))
});
