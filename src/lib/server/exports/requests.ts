// Asking for an export: 导出 checks the person may read the list and the filter is the list's
// own, records the export (QUEUED, with the list's total) and enqueues its build; 重试 puts a
// FAILED one back. Both return at once. The worker's sweep enqueues whatever Redis lost.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '#db/types.ts';
import type { ExportFormat } from '#shared/schemas/exports.ts';
import { STATEMENT_RANGE_EXPORT } from '#shared/schemas/statements.ts';
import { writeAudit } from '../audit.ts';
import { Refused } from '../refused.ts';
import type { SessionContext } from '../auth/types.ts';
import { unfinishedBuilds } from '../leased-build.ts';
import { enqueueExportBuild, enqueueOrLeaveToSweep } from '../queue/enqueue.ts';
import { EXPORT_TTL } from './expiry.ts';
import { countRows, onlyIds } from './query.ts';
import { visibleExports } from './records.ts';
import { chosenColumns, EXPORT_SPECS, isExportList, mayExportList } from './specs.ts';

/** Exports one person may have waiting or running at once (a million-row export takes seconds of a worker). */
export function exportMaxPending(): number {
	const n = Number(process.env.EXPORT_MAX_PENDING ?? 3);
	return Number.isInteger(n) && n > 0 ? n : 3;
}

/** From a request (create, 重试): never held up by a Redis outage, the sweep covers it. */
export function requestExportBuild(id: bigint): Promise<boolean> {
	return enqueueOrLeaveToSweep(`export ${id}`, () => enqueueExportBuild(id));
}

/**
 * Runs `insert` (which records an export) inside the person's export limit: their requests
 * one at a time under an advisory lock, so two at once cannot both slip under
 * EXPORT_MAX_PENDING; refused with nothing recorded when the limit is reached.
 */
export async function withinExportLimit<T>(db: Kysely<DB>, auth: SessionContext, insert: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
	const max = exportMaxPending();
	return db.transaction().execute(async (tx) => {
		await sql`SELECT pg_advisory_xact_lock(hashtext(${`exports:${auth.staff.id}`}))`.execute(tx);
		const pending = await tx
			.selectFrom('exports')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('merchant_id', '=', auth.staff.merchantId)
			.where('staff_id', '=', auth.staff.id)
			.where('status', 'in', ['QUEUED', 'RUNNING'])
			.executeTakeFirstOrThrow();
		if (Number(pending.n) >= max) throw new Refused('TOO_MANY_REQUESTS', 'exports.tooMany', { max });
		return insert(tx);
	});
}

export async function createExport(
	db: Kysely<DB>,
	auth: SessionContext,
	input: { list: string; format: ExportFormat; filter: Record<string, unknown>; columns: string[]; ids?: bigint[] }
): Promise<{ id: bigint }> {
	if (!isExportList(input.list)) throw new Refused('BAD_REQUEST', 'exports.unknownList');
	const spec = EXPORT_SPECS[input.list];
	if (!mayExportList(auth.permissions, input.list)) throw new Refused('FORBIDDEN', 'error.forbidden');
	const parsed = spec.filter.safeParse(input.filter);
	if (!parsed.success) throw new Refused('BAD_REQUEST', 'exports.badFilter');
	const merchantId = auth.staff.merchantId;
	const resolved = await spec.resolve(db, merchantId, parsed.data, { staffId: auth.staff.id });
	// 导出所选: the chosen rows among the filter's (the page they were ticked on showed that filter).
	const ids = input.ids ?? null;
	const source = resolved.source && onlyIds(resolved.source, ids);
	const range = resolved.range;
	// No columns sent: the ones this person shows in the list (their saved choice), else all.
	let wanted = input.columns;
	if (wanted.length === 0) {
		const pref = await db.selectFrom('column_prefs').select('columns').where('staff_id', '=', auth.staff.id).where('list_key', '=', input.list).executeTakeFirst();
		wanted = pref?.columns ?? [];
	}
	const columns = chosenColumns(input.list, wanted).map((c) => c.key);
	const row = await withinExportLimit(db, auth, async (tx) => {
		// Counted only for a request that is taken: the count reads the whole range.
		const total = await countRows(tx, source, range);
		return tx
			.insertInto('exports')
			.values({
				merchant_id: merchantId,
				staff_id: auth.staff.id,
				list_key: input.list,
				format: input.format,
				filter: JSON.stringify(parsed.data),
				columns,
				selected_ids: ids,
				rows_total: total
			})
			.returning(['id', 'rows_total'])
			.executeTakeFirstOrThrow();
	});
	await writeAudit(db, {
		merchantId,
		staffId: auth.staff.id,
		action: 'exports.create',
		targetType: 'export',
		targetId: row.id,
		detail: { list: input.list, format: input.format, rows: String(row.rows_total), ...(ids ? { selected: ids.length } : {}) }
	});
	await requestExportBuild(row.id);
	return { id: row.id };
}

/** 重试 a FAILED export: back to QUEUED and enqueued again, while the person may still read its list. */
export async function retryExport(db: Kysely<DB>, auth: SessionContext, id: bigint): Promise<{ id: bigint }> {
	const row = await visibleExports(db, auth).select(['e.id', 'e.list_key', 'e.status']).where('e.id', '=', id).executeTakeFirst();
	if (!row) throw new Refused('NOT_FOUND', 'error.notFound');
	// A range statement (statements/ranges.ts) is retried under the statement-download permission.
	const permission = row.list_key === STATEMENT_RANGE_EXPORT ? 'statements.download' : isExportList(row.list_key) ? EXPORT_SPECS[row.list_key].permission : null;
	if (!permission || !auth.permissions.has(permission)) throw new Refused('FORBIDDEN', 'error.forbidden');
	if (row.status !== 'FAILED') throw new Refused('BAD_REQUEST', 'exports.notFailed');
	await db.updateTable('exports').set({ status: 'QUEUED', error: null, rows_done: 0n }).where('id', '=', row.id).where('status', '=', 'FAILED').execute();
	await requestExportBuild(row.id);
	return { id: row.id };
}

/** The sweep: enqueues every export that should be building but has no job; returns how many. */
export async function requeueUnfinishedExports(db: Kysely<DB>): Promise<number> {
	let requeued = 0;
	// Older requests would expire before anyone downloads them.
	for (const e of await unfinishedBuilds(db, 'exports', EXPORT_TTL)) if (await enqueueExportBuild(e.id)) requeued++;
	return requeued;
}
