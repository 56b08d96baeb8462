import { operatorIdInput, type OperatorDetail } from '$lib/schemas/operators';
import { maskPhone } from '$lib/server/mask';
import { appError, protectedProcedure } from '../../init';
import { isLocked, rolesOf } from './operatorRecord';

/** 查看信息: the merchant (商户号, 商户名称), the operator (phone masked) and their roles. */
export const get = protectedProcedure
	.meta({ permission: 'operators.manage' })
	.input(operatorIdInput)
	.query(async ({ ctx, input }): Promise<OperatorDetail> => {
		const row = await ctx.db
			.selectFrom('staff as s')
			.innerJoin('merchants as m', 'm.id', 's.merchant_id')
			.select([
				's.id',
				's.name',
				's.phone',
				's.email',
				's.status',
				's.locked_until',
				's.failed_attempts',
				's.must_change_password',
				's.totp_enabled_at',
				's.created_at',
				's.updated_at',
				'm.merchant_no',
				'm.name as merchant_name'
			])
			.where('s.merchant_id', '=', ctx.merchantId)
			.where('s.id', '=', input.id)
			.where('s.is_admin', '=', false)
			.executeTakeFirst();
		if (!row) throw appError('NOT_FOUND', 'error.notFound');
		const roles = await rolesOf(ctx.db, ctx.merchantId, [row.id]);
		return {
			id: row.id,
			merchantNo: row.merchant_no,
			merchantName: row.merchant_name,
			name: row.name,
			phone: maskPhone(row.phone),
			email: row.email,
			status: row.status,
			locked: isLocked(row.locked_until),
			lockedUntil: isLocked(row.locked_until) ? row.locked_until : null,
			failedAttempts: row.failed_attempts,
			mustChangePassword: row.must_change_password,
			twoFactorEnabled: row.totp_enabled_at !== null,
			roles: roles.get(row.id) ?? [],
			createdAt: row.created_at,
			updatedAt: row.updated_at
		};
	});
