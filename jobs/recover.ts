// Postgres rows, not Redis, say what still has to be built. Redis here keeps nothing on disk:
// a restart empties every queue and schedule. The worker therefore re-enqueues, at boot and
// every minute, each export or statement whose row is waiting (or whose builder's lease ran
// out). Job ids are fixed per row, so a job that is still queued or running is not doubled.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { enqueueExportBuild, enqueueStatementBuild } from '#shared/server/queue/enqueue.ts';

/** How many jobs had gone missing and were enqueued again. */
export interface Requeued {
	exports: number;
	statements: number;
}

export async function requeueUnfinished(db: Db): Promise<Requeued> {
	const exports = await db
		.selectFrom('exports')
		.select('id')
		.where((eb) =>
			eb.or([eb('status', '=', 'QUEUED'), eb.and([eb('status', '=', 'RUNNING'), eb('lease_until', '<', sql<Date>`now()`)])])
		)
		// Older requests would expire before anyone downloads them.
		.where('created_at', '>', sql<Date>`now() - interval '7 days'`)
		.execute();
	let requeued = 0;
	for (const e of exports) if (await enqueueExportBuild(e.id)) requeued++;

	const statements = await db
		.selectFrom('statements')
		.select(['id', 'merchant_id', 'accounting_date'])
		.where((eb) =>
			eb.or([eb('status', '=', 'PENDING'), eb.and([eb('status', '=', 'BUILDING'), eb('lease_until', '<', sql<Date>`now()`)])])
		)
		.where('created_at', '>', sql<Date>`now() - interval '7 days'`)
		.execute();
	let built = 0;
	for (const s of statements) if (await enqueueStatementBuild(s.id, s.merchant_id, s.accounting_date)) built++;
	return { exports: requeued, statements: built };
}
