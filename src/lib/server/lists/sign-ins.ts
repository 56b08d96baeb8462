// 登录记录: which sign-in log rows a filter selects, always within the merchant's own staff
// (and phone numbers typed against its merchant number that are nobody's).
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../../../db/types.ts';
import type { signInListFilter } from '../../schemas/sign-ins.ts';
import { checkLogFilter } from './audit.ts';
import { and } from './engine.ts';

export type SignInFilter = z.output<typeof signInListFilter>;

export async function signInWhere(db: Kysely<DB>, merchantId: bigint, f: SignInFilter): Promise<RawBuilder<SqlBool>> {
	const { start, end } = await checkLogFilter(db, merchantId, f);
	const where: RawBuilder<unknown>[] = [sql`sign_in_log.merchant_id = ${merchantId}`];
	if (f.staffId !== undefined) where.push(sql`sign_in_log.staff_id = ${f.staffId}`);
	if (f.event) where.push(sql`sign_in_log.event = ${f.event}`);
	if (f.result) where.push(sql`sign_in_log.ok = ${f.result === 'ok'}`);
	if (start) where.push(sql`sign_in_log.created_at >= ${start}`);
	if (end) where.push(sql`sign_in_log.created_at < ${end}`);
	return sql<SqlBool>`${and(where)}`;
}
