import { auditListInput, type AuditRow } from '$lib/schemas/audit';
import type { Paged } from '$lib/schemas/roles';
import { auditWhere } from '$lib/server/lists/audit';
import { boundedCount } from '$lib/server/lists/bounded-count';
import { protectedProcedure } from '../../init';

/** 审计日志: newest first, by person, action (or action category) and time (Asia/Shanghai). */
export const list = protectedProcedure
	.meta({ permission: 'audit.read' })
	.input(auditListInput)
	.query(async ({ ctx, input }): Promise<Paged<AuditRow>> => {
		const where = await auditWhere(ctx.db, ctx.merchantId, input.filter);
		const q = ctx.db.selectFrom('audit_log').where(where);

		const [total, rows] = await Promise.all([
			boundedCount(ctx.db, 'audit_log', where),
			q
				.select(['id', 'created_at', 'staff_id', 'actor_name', 'action', 'target_type', 'target_id', 'detail', 'ip', 'user_agent'])
				.orderBy('created_at', 'desc')
				.orderBy('id', 'desc')
				.limit(input.pageSize)
				.offset((input.page - 1) * input.pageSize)
				.execute()
		]);
		return {
			rows: rows.map((r) => ({
				id: r.id,
				createdAt: r.created_at,
				staffId: r.staff_id,
				actorName: r.actor_name,
				action: r.action,
				targetType: r.target_type,
				targetId: r.target_id,
				detail: r.detail ?? {},
				ip: r.ip,
				userAgent: r.user_agent
			})),
			total: { count: total.count, amount: null, capped: total.capped },
			page: input.page,
			pageSize: input.pageSize
		};
	});
