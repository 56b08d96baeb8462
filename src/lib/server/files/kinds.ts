// Which rows own stored files, and how each decides who may download one. files/ stores bytes
// and knows no feature: each feature that writes files brings an authoriser, and
// server/downloads.ts registers them all.
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import type { Permission } from '#shared/permissions.ts';
import type { AuditAction } from '../audit.ts';
import type { SessionContext } from '../auth/types.ts';

/** What a download of a file is, once its owning row is found. */
export interface FileOwnerGrant {
	/** Reading the file needs this permission (null: the owning row's visibility is enough). */
	permission: Permission | null;
	/** The audit action a download of it writes. */
	auditAction: AuditAction;
	targetType: string;
	targetId: bigint;
	detail: Record<string, unknown>;
}

/** Finds the row of this kind that owns the file, as this person may see it; undefined when none. */
export type FileAuthoriser = (db: Kysely<DB>, auth: SessionContext, fileId: bigint) => Promise<FileOwnerGrant | undefined>;

const kinds = new Map<string, FileAuthoriser>();

/** Registers (or, on a reload, replaces) the authoriser of a kind of file. */
export function registerFileKind(kind: string, authorise: FileAuthoriser): void {
	kinds.set(kind, authorise);
}

export function fileAuthorisers(): FileAuthoriser[] {
	return [...kinds.values()];
}
