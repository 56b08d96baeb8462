// Range statements (issue 10, item 5): 对账单下载 → 按日期范围 asks for a range of closed days (at
// most STATEMENT_RANGE_MAX_DAYS, or a whole month) as one CSV or XLSX. It is an export kind:
// an exports row (list_key STATEMENT_RANGE_EXPORT, filter { from, to }) built by the
// 'exports.build' job with its lease, progress, 重试, sweep and expiry, listed and downloaded in
// 导出记录. Its rows are the day statements' rows one day after the other (same columns, masks,
// labels, order), its 汇总 and 余额核对 cover the whole range (range-build.ts writes it).
// Asking needs statements.download and a fresh step-up (a bulk download, issue 11; the router's
// .meta), and counts against the person's export limit like any export.
import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { STATEMENT_RANGE_EXPORT, statementPeriodSchema, statementWindow, type StatementRangeInput } from '#shared/schemas/statements.ts';
import { writeAudit } from '../audit.ts';
import type { SessionContext } from '../auth/types.ts';
import { requestExportBuild, withinExportLimit } from '../exports/requests.ts';
import { visibleExports } from '../exports/records.ts';
import type { FileAuthoriser } from '../files/kinds.ts';
import { Refused } from '../refused.ts';
import type { StatementPeriod } from './query.ts';

/** The period an exports row of this kind covers; throws on anything else (a row we did not write). */
export function rangeOfExport(filter: unknown): StatementPeriod {
	return statementPeriodSchema.parse(filter);
}

/**
 * Records the range statement (QUEUED) and enqueues its build; returns at once. Refused, with
 * nothing recorded: a day not yet closed (today or later: its statement does not exist yet),
 * a day before the statement window, or a full export queue.
 */
export async function requestStatementRange(
	db: Kysely<DB>,
	auth: SessionContext,
	input: StatementRangeInput,
	origin: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null },
	now: Date = new Date()
): Promise<{ id: bigint }> {
	const window = statementWindow(now);
	if (input.to > window.last) throw new Refused('BAD_REQUEST', 'statements.range.notClosed', { last: window.last });
	if (input.from < window.first) throw new Refused('BAD_REQUEST', 'statements.range.beforeWindow', { first: window.first });
	const merchantId = auth.staff.merchantId;
	// The same lock and limit as every export of this person.
	const row = await withinExportLimit(db, auth, (tx) =>
		tx
			.insertInto('exports')
			// rows_total is known once the build has read the range's 汇总.
			.values({ merchant_id: merchantId, staff_id: auth.staff.id, list_key: STATEMENT_RANGE_EXPORT, format: input.format, filter: JSON.stringify({ from: input.from, to: input.to }), columns: [] })
			.returning('id')
			.executeTakeFirstOrThrow()
	);
	await writeAudit(db, {
		merchantId,
		staffId: auth.staff.id,
		actorName: auth.staff.name,
		action: 'exports.create',
		targetType: 'export',
		targetId: row.id,
		detail: { list: STATEMENT_RANGE_EXPORT, format: input.format, from: input.from, to: input.to },
		ip: origin.ip,
		userAgent: origin.userAgent
	});
	await requestExportBuild(row.id);
	return { id: row.id };
}

/** Who may download a range statement's file: its owner (the admin: anyone's), READY and unexpired, with statements.download. */
export const authoriseStatementRangeFile: FileAuthoriser = async (db, auth, fileId) => {
	const e = await visibleExports(db, auth)
		.select(['e.id', 'e.format', 'e.filter'])
		.where('e.list_key', '=', STATEMENT_RANGE_EXPORT)
		.where('e.status', '=', 'READY')
		.where('e.expires_at', '>', sql<Date>`now()`)
		.where('e.file_id', '=', fileId)
		.executeTakeFirst();
	if (!e) return undefined;
	const { from, to } = rangeOfExport(e.filter);
	return {
		permission: 'statements.download',
		auditAction: 'statements.download',
		targetType: 'export',
		targetId: e.id,
		detail: { from, to, format: e.format }
	};
};
