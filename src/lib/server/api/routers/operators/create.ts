import { operatorCreateInput } from '$lib/schemas/operators';
import { maskPhone } from '$lib/server/mask';
import { appError, protectedProcedure } from '../../init';
import { auditChange, isUniqueViolation } from '../audit/record';
import { requireRoles } from '../roles/roleRecord';
import { newInitialPassword, smsPassword } from './initialPassword';
import { setRoles } from './operatorRecord';

/**
 * 新增操作员: the system makes the initial password, stores only its hash, texts it to the
 * operator's phone, and the operator must change it at first sign-in.
 */
export const create = protectedProcedure
	.meta({ permission: 'operators.manage', stepUp: true })
	.input(operatorCreateInput)
	.mutation(async ({ ctx, input }) => {
		const { password, hash } = await newInitialPassword();
		let id: bigint;
		try {
			id = await ctx.db.transaction().execute(async (tx) => {
				await requireRoles(tx, ctx.merchantId, input.roleIds);
				const staff = await tx
					.insertInto('staff')
					.values({
						merchant_id: ctx.merchantId,
						is_admin: false,
						name: input.name,
						phone: input.phone,
						email: input.email,
						password_hash: hash,
						must_change_password: true
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				await setRoles(tx, ctx.merchantId, staff.id, input.roleIds);
				await auditChange(ctx, tx, 'operators.create', { type: 'staff', id: staff.id }, {
					before: null,
					after: { name: input.name, phone: maskPhone(input.phone), email: input.email, status: 'ACTIVE', roleIds: input.roleIds.map(String) }
				});
				return staff.id;
			});
		} catch (e) {
			if (isUniqueViolation(e, 'staff_merchant_id_phone_key')) throw appError('CONFLICT', 'operators.phoneTaken');
			throw e;
		}
		const sms = await smsPassword(
			ctx.db,
			{ merchantId: ctx.merchantId, merchantNo: ctx.auth.staff.merchantNo, name: input.name, phone: input.phone },
			password,
			'initial'
		);
		return { id, smsStatus: sms.status };
	});
