// Who may download a stored file: decided by the row that owns it. Another merchant's file,
// a half-written one and one the person may not read all answer "not found".
import type { Kysely } from 'kysely';
import { exportOfFile } from '../exports/records.ts';
import { EXPORT_SPECS, isExportList } from '../exports/specs.ts';
import type { DB } from '../../../../db/index.ts';
import type { Permission } from '../../permissions.ts';
import type { AuditAction } from '../audit.ts';
import type { SessionContext } from '../auth/types.ts';
import { findFile, type FileInfo } from './read.ts';

export interface FileGrant {
	file: FileInfo;
	/** The audit action a download of it writes. */
	auditAction: AuditAction;
	targetType: string;
	targetId: bigint;
	detail: Record<string, unknown>;
}

/** Each kind of owner: finds its row for the file and says which permission reading it needs. */
interface OwnerRule {
	find(db: Kysely<DB>, auth: SessionContext, fileId: bigint): Promise<Omit<FileGrant, 'file'> & { permission: Permission | null } | undefined>;
}

const statementOwner: OwnerRule = {
	async find(db, auth, fileId) {
		const s = await db
			.selectFrom('statements')
			.select(['id', 'accounting_date', 'csv_file_id'])
			.where('merchant_id', '=', auth.staff.merchantId)
			.where('status', '=', 'READY')
			.where((eb) => eb.or([eb('csv_file_id', '=', fileId), eb('xlsx_file_id', '=', fileId)]))
			.executeTakeFirst();
		if (!s) return undefined;
		return {
			permission: 'statements.download',
			auditAction: 'statements.download',
			targetType: 'statement',
			targetId: s.id,
			detail: { accountingDate: s.accounting_date, format: s.csv_file_id === fileId ? 'CSV' : 'XLSX' }
		};
	}
};

// Exports: one's own (the admin: any of the merchant's), READY and not expired, and only while
// the person may still read the list it came from.
const exportOwner: OwnerRule = {
	async find(db, auth, fileId) {
		const e = await exportOfFile(db, auth, fileId);
		if (!e || !isExportList(e.list_key)) return undefined;
		return { permission: EXPORT_SPECS[e.list_key].permission, auditAction: 'exports.download', targetType: 'export', targetId: e.id, detail: { listKey: e.list_key, format: e.format } };
	}
};

export const FILE_OWNERS: OwnerRule[] = [statementOwner, exportOwner];

/** The file and how to audit its download, when this person may read it; otherwise undefined (→ 404). */
export async function authorizeFileDownload(db: Kysely<DB>, auth: SessionContext, fileId: bigint): Promise<FileGrant | undefined> {
	if (auth.staff.mustChangePassword) return undefined;
	const file = await findFile(db, auth.staff.merchantId, fileId);
	if (!file) return undefined;
	for (const owner of FILE_OWNERS) {
		const found = await owner.find(db, auth, fileId);
		if (!found) continue;
		if (found.permission && !auth.permissions.has(found.permission)) return undefined;
		const { permission: _p, ...grant } = found;
		return { file, ...grant };
	}
	return undefined;
}
