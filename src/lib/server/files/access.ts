// Who may download a stored file: decided by the row that owns it (files/kinds.ts). Another
// merchant's file, a half-written one and one the person may not read all answer "not found".
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import type { SessionContext } from '../auth/types.ts';
import { fileAuthorisers, type FileOwnerGrant } from './kinds.ts';
import { findFile, type FileInfo } from './read.ts';

export type FileGrant = Omit<FileOwnerGrant, 'permission'> & { file: FileInfo };

/** The file and how to audit its download, when this person may read it; otherwise undefined (→ 404). */
export async function authorizeFileDownload(db: Kysely<DB>, auth: SessionContext, fileId: bigint): Promise<FileGrant | undefined> {
	if (auth.staff.mustChangePassword) return undefined;
	const file = await findFile(db, auth.staff.merchantId, fileId);
	if (!file) return undefined;
	for (const authorise of fileAuthorisers()) {
		const found = await authorise(db, auth, fileId);
		if (!found) continue;
		if (found.permission && !auth.permissions.has(found.permission)) return undefined;
		const { permission: _p, ...grant } = found;
		return { file, ...grant };
	}
	return undefined;
}
