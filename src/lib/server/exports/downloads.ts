// Who may download an export's file: its owner (the admin: anyone's of the merchant), while it
// is READY and not expired, and only while the person may still read the list it came from.
import type { FileAuthoriser } from '../files/kinds.ts';
import { exportOfFile } from './records.ts';
import { isExportList, mayExportList } from './specs.ts';

export const authoriseExportFile: FileAuthoriser = async (db, auth, fileId) => {
	const e = await exportOfFile(db, auth, fileId);
	if (!e || !isExportList(e.list_key)) return undefined;
	// Checked here: some lists are read under any one of several permissions (the key tabs).
	if (!mayExportList(auth.permissions, e.list_key)) return undefined;
	return {
		permission: null,
		auditAction: 'exports.download',
		targetType: 'export',
		targetId: e.id,
		detail: { listKey: e.list_key, format: e.format }
	};
};
