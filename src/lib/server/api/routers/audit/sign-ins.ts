import { signInListInput, type SignInRow } from '$lib/schemas/sign-ins';
import type { Paged } from '$lib/schemas/roles';
import { boundedCount } from '$lib/server/lists/bounded-count';
import { signInWhere } from '$lib/server/lists/sign-ins';
import { listOrBadRequest } from '$lib/server/lists/trpc';
import { protectedProcedure } from '../../init';

/** 登录记录: every sign-in attempt and 找回密码 step against the merchant, newest first. */
export const signIns = protectedProcedure
	.meta({ permission: 'audit.read' })
	.input(signInListInput)
	.query(async ({ ctx, input }): Promise<Paged<SignInRow>> => {
		const where = await listOrBadRequest(() => signInWhere(ctx.db, ctx.merchantId, input.filter));
		const [total, rows] = await Promise.all([
			boundedCount(ctx.db, 'sign_in_log', where),
			ctx.db
				.selectFrom('sign_in_log')
				.leftJoin('staff', 'staff.id', 'sign_in_log.staff_id')
				.where(where)
				.select([
					'sign_in_log.id',
					'sign_in_log.created_at',
					'sign_in_log.staff_id',
					'staff.name',
					'sign_in_log.event',
					'sign_in_log.ok',
					'sign_in_log.reason',
					'sign_in_log.phone',
					'sign_in_log.ip',
					'sign_in_log.user_agent'
				])
				.orderBy('sign_in_log.created_at', 'desc')
				.orderBy('sign_in_log.id', 'desc')
				.limit(input.pageSize)
				.offset((input.page - 1) * input.pageSize)
				.execute()
		]);
		return {
			rows: rows.map((r) => ({
				id: r.id,
				createdAt: r.created_at,
				staffId: r.staff_id,
				staffName: r.name,
				event: r.event,
				ok: r.ok,
				reason: r.reason,
				phone: r.phone,
				ip: r.ip,
				userAgent: r.user_agent
			})),
			total: { count: total.count, amount: null, capped: total.capped },
			page: input.page,
			pageSize: input.pageSize
		};
	});
