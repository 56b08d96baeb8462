// 审计日志: which entries a filter selects. One WHERE for the list (routers/audit/list.ts) and its
// export. No $lib imports (#db, #shared are fine): the export job imports this under plain Node.
import { TZDate } from '@date-fns/tz';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { DB } from '#db/types.ts';
import { AUDIT_CATEGORIES, type auditListFilter } from '#shared/schemas/audit.ts';
import { addDays, BUSINESS_TZ, startOfBusinessDate } from '#shared/time.ts';
import { and, type ListSource } from './engine.ts';
import { ListFilterError, ListRefNotFound } from './errors.ts';

export type AuditFilter = z.output<typeof auditListFilter>;

/** Over the `audit_log` table by its own name; the time bounds are part of it (the list has no default range). */
export async function auditWhere(db: Kysely<DB>, merchantId: bigint, f: AuditFilter): Promise<RawBuilder<SqlBool>> {
	const { start, end } = await checkLogFilter(db, merchantId, f);
	const where: RawBuilder<unknown>[] = [sql`audit_log.merchant_id = ${merchantId}`];
	if (f.staffId !== undefined) where.push(sql`audit_log.staff_id = ${f.staffId}`);
	if (f.action)
		where.push(
			(AUDIT_CATEGORIES as readonly string[]).includes(f.action) ? sql`audit_log.action LIKE ${`${f.action}.%`}` : sql`audit_log.action = ${f.action}`
		);
	if (start) where.push(sql`audit_log.created_at >= ${start}`);
	if (end) where.push(sql`audit_log.created_at < ${end}`);
	return sql<SqlBool>`${and(where)}`;
}

export async function auditSource(db: Kysely<DB>, merchantId: bigint, f: AuditFilter): Promise<ListSource> {
	return { table: 'audit_log', timeColumn: 'created_at', where: await auditWhere(db, merchantId, f), amountColumn: null, rollup: null };
}

/**
 * What the audit and sign-in logs' filters share: the time bounds as instants (an inverted range
 * refused), and the person checked to be the merchant's own — another merchant's person reads
 * like a missing one, never like an empty log.
 */
export async function checkLogFilter(
	db: Kysely<DB>,
	merchantId: bigint,
	f: { staffId?: bigint; from?: string; to?: string }
): Promise<{ start: Date | null; end: Date | null }> {
	const start = f.from ? instant(f.from, 'start') : null;
	const end = f.to ? instant(f.to, 'end') : null;
	if (start && end && start.getTime() >= end.getTime()) throw new ListFilterError('audit.rangeInverted');
	if (f.staffId !== undefined) {
		const own = await db.selectFrom('staff').select('id').where('merchant_id', '=', merchantId).where('id', '=', f.staffId).executeTakeFirst();
		if (!own) throw new ListRefNotFound();
	}
	return { start, end };
}

/** A filter bound as an instant: a bare date is its whole Asia/Shanghai day (`to` inclusive). */
function instant(value: string, side: 'start' | 'end'): Date {
	const [date, time] = value.split(/[ T]/);
	if (!time) return startOfBusinessDate(side === 'start' ? date : addDays(date, 1));
	const [y, m, d] = date.split('-').map(Number);
	const [hh, mm, ss = 0] = time.split(':').map(Number);
	const at = new Date(new TZDate(y, m - 1, d, hh, mm, ss, BUSINESS_TZ).getTime());
	if (Number.isNaN(at.getTime())) throw new ListFilterError('audit.badTime');
	// 'to' with seconds is inclusive of that second.
	return side === 'end' ? new Date(at.getTime() + 1000) : at;
}
