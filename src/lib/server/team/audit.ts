// 审计日志: one page of the merchant's entries (newest first, by person, action or action
// category, and time) and the people its 操作人 filter offers.
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import type { AuditRow } from '#shared/schemas/audit.ts';
import type { ListPage, PageSize } from '#shared/schemas/lists.ts';
import { auditWhere, type AuditFilter } from '../lists/audit.ts';
import { boundedCount } from '../lists/bounded-count.ts';

export async function listAudit(db: Kysely<DB>, merchantId: bigint, input: { filter: AuditFilter; page: number; pageSize: PageSize }): Promise<ListPage<AuditRow>> {
	const where = await auditWhere(db, merchantId, input.filter);
	const [total, rows] = await Promise.all([
		boundedCount(db, 'audit_log', where),
		db
			.selectFrom('audit_log')
			.where(where)
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
}

/**
 * Everyone of the merchant (admin included), admin first, for the 操作人 filter. A deleted
 * operator is not offered (their entries keep their name: audit rows carry actor_name).
 */
export async function auditPeople(db: Kysely<DB>, merchantId: bigint): Promise<{ id: bigint; name: string; isAdmin: boolean }[]> {
	const rows = await db
		.selectFrom('staff')
		.select(['id', 'name', 'is_admin'])
		.where('merchant_id', '=', merchantId)
		.where('deleted_at', 'is', null)
		.orderBy('is_admin', 'desc')
		.orderBy('id')
		.execute();
	return rows.map((r) => ({ id: r.id, name: r.name, isAdmin: r.is_admin }));
}
