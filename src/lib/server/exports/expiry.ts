// How long an export lives: 下载管理 keeps a finished export's file for 7 days, then the hourly
// upkeep deletes it and the row says EXPIRED.
import { sql } from 'kysely';
import type { Db } from '#db';

/** The life of a finished export's file, as an SQL interval. */
export const EXPORT_TTL = '7 days';

/** Deletes the files of expired exports and marks them EXPIRED; returns how many. */
export async function expireExports(db: Db): Promise<number> {
	return db.transaction().execute(async (tx) => {
		const gone = await tx
			.updateTable('exports')
			.set({ status: 'EXPIRED' })
			.where('status', '=', 'READY')
			.where('expires_at', '<=', sql<Date>`now()`)
			.returning(['id', 'file_id'])
			.execute();
		const fileIds = gone.map((g) => g.file_id).filter((f): f is bigint => f !== null);
		if (fileIds.length) await tx.deleteFrom('files').where('id', 'in', fileIds).execute();
		return gone.length;
	});
}
