// Postgres rows, not Redis, say what still has to be built. Redis here keeps nothing on disk:
// a restart empties every queue and schedule. The worker therefore re-enqueues, at boot and
// every minute, each export or statement whose row is waiting (or whose builder's lease ran
// out). Job ids are fixed per row, so a job that is still queued or running is not doubled.
import type { Db } from '../db/index.ts';
import { requeueUnfinishedExports } from '#shared/server/exports/requests.ts';
import { requeueUnfinishedStatements } from '#shared/server/statements/requests.ts';

/** How many jobs had gone missing and were enqueued again. */
export interface Requeued {
	exports: number;
	statements: number;
}

export async function requeueUnfinished(db: Db): Promise<Requeued> {
	const exports = await requeueUnfinishedExports(db);
	const statements = await requeueUnfinishedStatements(db);
	return { exports, statements };
}
