// Requesting an export: checks the person may read the list and the filter is the list's own,
// records the export (QUEUED, with the list's total) and enqueues its build. Returns at once.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../../db/types.ts';
import { enqueueExportBuild, enqueueOrLeaveToSweep } from '../queue/enqueue.ts';
import type { SessionContext } from '../auth/types.ts';
import { writeAudit } from '../audit.ts';
import type { MessageKey } from '../../i18n/messages.ts';
import type { ExportFormat } from '../../schemas/exports.ts';
import { chosenColumns, EXPORT_SPECS, isExportList } from './lists.ts';
import { countRows } from './query.ts';

export class ExportRefused extends Error {
	constructor(
		readonly code: 'FORBIDDEN' | 'BAD_REQUEST' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS',
		readonly key: MessageKey,
		readonly params: Record<string, string | number> = {}
	) {
		super(key);
	}
}

/** Exports one person may have waiting or running at once (a million-row export takes seconds of a worker). */
export function exportMaxPending(): number {
	const n = Number(process.env.EXPORT_MAX_PENDING ?? 3);
	return Number.isInteger(n) && n > 0 ? n : 3;
}

/** From a request (create, 重试): never held up by a Redis outage, the sweep covers it. */
export function requestExportBuild(id: bigint): Promise<boolean> {
	return enqueueOrLeaveToSweep(`export ${id}`, () => enqueueExportBuild(id));
}

export async function createExport(
	db: Kysely<DB>,
	auth: SessionContext,
	input: { list: string; format: ExportFormat; filter: Record<string, unknown>; columns: string[] }
): Promise<{ id: bigint }> {
	if (!isExportList(input.list)) throw new ExportRefused('BAD_REQUEST', 'exports.unknownList');
	const spec = EXPORT_SPECS[input.list];
	if (!auth.permissions.has(spec.permission)) throw new ExportRefused('FORBIDDEN', 'error.forbidden');
	const parsed = spec.filter.safeParse(input.filter);
	if (!parsed.success) throw new ExportRefused('BAD_REQUEST', 'exports.badFilter');
	const merchantId = auth.staff.merchantId;
	const { source, range } = await spec.resolve(db, merchantId, parsed.data);
	// No columns sent: the ones this person shows in the list (their saved choice), else all.
	let wanted = input.columns;
	if (wanted.length === 0) {
		const pref = await db.selectFrom('column_prefs').select('columns').where('staff_id', '=', auth.staff.id).where('list_key', '=', input.list).executeTakeFirst();
		wanted = pref?.columns ?? [];
	}
	const columns = chosenColumns(input.list, wanted).map((c) => c.key);
	const max = exportMaxPending();
	const row = await db.transaction().execute(async (tx) => {
		// One person's requests one at a time, so two at once cannot both slip under the limit.
		await sql`SELECT pg_advisory_xact_lock(hashtext(${`exports:${auth.staff.id}`}))`.execute(tx);
		const pending = await tx
			.selectFrom('exports')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('merchant_id', '=', merchantId)
			.where('staff_id', '=', auth.staff.id)
			.where('status', 'in', ['QUEUED', 'RUNNING'])
			.executeTakeFirstOrThrow();
		if (Number(pending.n) >= max) throw new ExportRefused('TOO_MANY_REQUESTS', 'exports.tooMany', { max });
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
		detail: { list: input.list, format: input.format, rows: String(row.rows_total) }
	});
	await requestExportBuild(row.id);
	return { id: row.id };
}

/** Who may see an export row: the merchant's admin sees all, others their own. */
export function visibleTo(auth: SessionContext) {
	return { merchantId: auth.staff.merchantId, staffId: auth.staff.isAdmin ? null : auth.staff.id };
}
