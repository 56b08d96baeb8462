// The export rows a person may see: the merchant's admin sees all of the merchant's, anyone
// else only their own. Every read of the exports table on someone's behalf starts here.
import { sql } from 'kysely';
import type { Db } from '#db';
import { buildFailureKey } from '#shared/build-failure.ts';
import { STATEMENT_RANGE_EXPORT } from '#shared/schemas/statements.ts';
import type { SessionContext } from '../auth/types.ts';

/** The rule, as a condition on the exports table called `table`. */
export function visibleExportsWhere(table: 'e' | 'exports', who: { merchantId: bigint; staffId: bigint; isAdmin: boolean }) {
	const col = (c: string) => sql.ref(`${table}.${c}`);
	const own = who.isAdmin ? sql`TRUE` : sql`${col('staff_id')} = ${who.staffId}`;
	return sql<boolean>`${col('merchant_id')} = ${who.merchantId} AND ${own}`;
}

/** The exports this person may see, as `e`. */
export function visibleExports(db: Db, auth: SessionContext) {
	return db.selectFrom('exports as e').where(visibleExportsWhere('e', { merchantId: auth.staff.merchantId, staffId: auth.staff.id, isAdmin: auth.staff.isAdmin }));
}

/** One export's progress (polled every second while it runs); undefined when not visible. */
export async function exportProgress(db: Db, auth: SessionContext, id: bigint) {
	const row = await visibleExports(db, auth)
		.select(['e.id', 'e.status', 'e.rows_done as rowsDone', 'e.rows_total as rowsTotal', 'e.error', 'e.file_id as fileId'])
		.where('e.id', '=', id)
		.executeTakeFirst();
	return row && { ...row, error: buildFailureKey(row.error, 'exports.buildFailed') };
}

/** 导出记录: one page of the visible exports, newest first, with who asked and the file's size. */
export async function listExports(db: Db, auth: SessionContext, page: { page: number; pageSize: number }) {
	const q = visibleExports(db, auth).innerJoin('staff as s', 's.id', 'e.staff_id').leftJoin('files as f', 'f.id', 'e.file_id');
	const [rows, total] = await Promise.all([
		q
			.select([
				'e.id',
				'e.list_key as list',
				'e.format',
				// 导出所选: how many rows were chosen; null for the whole filter.
				sql<number | null>`cardinality(e.selected_ids)`.as('selected'),
				// A range statement: the days it covers ('2026-11-01 ~ 2026-11-30'); null for a list export.
				sql<string | null>`CASE WHEN e.list_key = ${STATEMENT_RANGE_EXPORT} THEN (e.filter->>'from') || ' ~ ' || (e.filter->>'to') END`.as('period'),
				'e.status',
				'e.rows_done as rowsDone',
				'e.rows_total as rowsTotal',
				'e.error',
				'e.file_id as fileId',
				'f.size',
				's.name as staffName',
				'e.created_at as createdAt',
				'e.finished_at as finishedAt',
				'e.expires_at as expiresAt'
			])
			.orderBy('e.created_at', 'desc')
			.orderBy('e.id', 'desc')
			.offset((page.page - 1) * page.pageSize)
			.limit(page.pageSize)
			.execute(),
		q.select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()
	]);
	return {
		rows: rows.map((r) => ({ ...r, error: buildFailureKey(r.error, 'exports.buildFailed') })),
		total: { count: BigInt(total.n) },
		page: page.page,
		pageSize: page.pageSize
	};
}

/** The visible export whose finished, unexpired file this is. */
export function exportOfFile(db: Db, auth: SessionContext, fileId: bigint) {
	return visibleExports(db, auth)
		.select(['e.id', 'e.list_key', 'e.format'])
		.where('e.status', '=', 'READY')
		.where('e.expires_at', '>', sql<Date>`now()`)
		.where('e.file_id', '=', fileId)
		.executeTakeFirst();
}
