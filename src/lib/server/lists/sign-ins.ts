// 登录记录: which sign-in log rows a filter selects, always within the merchant's own staff
// (and phone numbers typed against its merchant number that are nobody's).
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { DB } from '#db/types.ts';
import type { ListPage, PageSize } from '#shared/schemas/lists.ts';
import type { signInListFilter, SignInRow } from '#shared/schemas/sign-ins.ts';
import { describeUserAgent } from '../auth/devices.ts';
import { checkLogFilter } from './audit.ts';
import { boundedCount } from './bounded-count.ts';
import { and } from './engine.ts';

type SignInFilter = z.output<typeof signInListFilter>;

async function signInWhere(db: Kysely<DB>, merchantId: bigint, f: SignInFilter): Promise<RawBuilder<SqlBool>> {
	const { start, end } = await checkLogFilter(db, merchantId, f);
	const where: RawBuilder<unknown>[] = [sql`sign_in_log.merchant_id = ${merchantId}`];
	if (f.staffId !== undefined) where.push(sql`sign_in_log.staff_id = ${f.staffId}`);
	if (f.event) where.push(sql`sign_in_log.event = ${f.event}`);
	if (f.result) where.push(sql`sign_in_log.ok = ${f.result === 'ok'}`);
	if (start) where.push(sql`sign_in_log.created_at >= ${start}`);
	if (end) where.push(sql`sign_in_log.created_at < ${end}`);
	return sql<SqlBool>`${and(where)}`;
}

/**
 * One page of 登录记录, newest first: the admin's view of the merchant (any person, or one) and
 * a person's own (设置 → 登录记录, the filter's staffId fixed to them by the caller). The device
 * is read from the user agent (browser and OS with their versions).
 */
export async function listSignIns(
	db: Kysely<DB>,
	merchantId: bigint,
	filter: SignInFilter,
	page: { page: number; pageSize: PageSize }
): Promise<ListPage<SignInRow>> {
	const where = await signInWhere(db, merchantId, filter);
	const [total, rows] = await Promise.all([
		boundedCount(db, 'sign_in_log', where),
		db
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
			.limit(page.pageSize)
			.offset((page.page - 1) * page.pageSize)
			.execute()
	]);
	return {
		rows: rows.map((r) => {
			const { browser, os } = describeUserAgent(r.user_agent);
			return {
				id: r.id,
				createdAt: r.created_at,
				staffId: r.staff_id,
				staffName: r.name,
				event: r.event,
				ok: r.ok,
				reason: r.reason,
				phone: r.phone,
				ip: r.ip,
				userAgent: r.user_agent,
				device: browser || os ? [browser, os].filter(Boolean).join(' · ') : null
			};
		}),
		total: { count: total.count, amount: null, capped: total.capped },
		page: page.page,
		pageSize: page.pageSize
	};
}
