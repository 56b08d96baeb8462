import { sql } from 'kysely';
import { auditListInput, AUDIT_CATEGORIES, type AuditRow } from '$lib/schemas/audit';
import type { Paged } from '$lib/schemas/roles';
import { addDays, startOfBusinessDate } from '$lib/time';
import { TZDate } from '@date-fns/tz';
import { appError, protectedProcedure } from '../../init';

/** 审计日志: newest first, by person, action (or action category) and time (Asia/Shanghai). */
export const list = protectedProcedure
	.meta({ permission: 'audit.read' })
	.input(auditListInput)
	.query(async ({ ctx, input }): Promise<Paged<AuditRow>> => {
		const { staffId, action, from, to } = input.filter;
		const start = from ? instant(from, 'start') : null;
		const end = to ? instant(to, 'end') : null;
		if (start && end && start.getTime() >= end.getTime()) throw appError('BAD_REQUEST', 'audit.rangeInverted');
		if (staffId !== undefined) {
			// Another merchant's person reads like a missing one, never like an empty log.
			const own = await ctx.db.selectFrom('staff').select('id').where('merchant_id', '=', ctx.merchantId).where('id', '=', staffId).executeTakeFirst();
			if (!own) throw appError('NOT_FOUND', 'error.notFound');
		}

		let q = ctx.db.selectFrom('audit_log').where('merchant_id', '=', ctx.merchantId);
		if (staffId !== undefined) q = q.where('staff_id', '=', staffId);
		if (action) {
			q = (AUDIT_CATEGORIES as readonly string[]).includes(action)
				? q.where('action', 'like', `${action}.%`)
				: q.where('action', '=', action);
		}
		if (start) q = q.where('created_at', '>=', start);
		if (end) q = q.where('created_at', '<', end);

		const [count, rows] = await Promise.all([
			q.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
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
			total: { count: BigInt(count.n), amount: null },
			page: input.page,
			pageSize: input.pageSize
		};
	});

/** A filter bound as an instant: a bare date is its whole Asia/Shanghai day (`to` inclusive). */
function instant(value: string, side: 'start' | 'end'): Date {
	const [date, time] = value.split(/[ T]/);
	if (!time) return startOfBusinessDate(side === 'start' ? date : addDays(date, 1));
	const [y, m, d] = date.split('-').map(Number);
	const [hh, mm, ss = 0] = time.split(':').map(Number);
	const at = new Date(new TZDate(y, m - 1, d, hh, mm, ss, 'Asia/Shanghai').getTime());
	if (Number.isNaN(at.getTime())) throw appError('BAD_REQUEST', 'audit.badTime');
	// 'to' with seconds is inclusive of that second.
	return side === 'end' ? new Date(at.getTime() + 1000) : at;
}
