import { ALL_PERMISSIONS } from '$lib/permissions';
import { protectedProcedure } from '../../init';

export const meProcedure = protectedProcedure
	.meta({ permission: 'authenticated', allowPendingPasswordChange: true, allowPendingEnrolment: true })
	.query(({ ctx }) => {
		const { staff, permissions } = ctx.auth;
		return {
			name: staff.name,
			merchantName: staff.merchantName,
			merchantNo: staff.merchantNo,
			isAdmin: staff.isAdmin,
			// In registry order, so menus and tests see a stable list.
			permissions: ALL_PERMISSIONS.filter((p) => permissions.has(p)),
			mustChangePassword: staff.mustChangePassword
		};
	});
