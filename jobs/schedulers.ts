// Repeatable jobs, registered (idempotently) when a worker boots and on every sweep: upserting
// the same scheduler id from every worker process leaves exactly one schedule.
import type { Queue } from 'bullmq';
import { QUEUES, type JobName, type QueueName } from '#shared/server/queue/jobs.ts';
import { dailyRunPattern } from '#shared/server/statements/fan-out.ts';
import { BUSINESS_TZ } from '#shared/time.ts';

export interface ScheduleSpec {
	id: string;
	queue: QueueName;
	pattern: string;
	job: JobName;
}

export const SCHEDULES: readonly ScheduleSpec[] = [
	// STATEMENT_CLOSE_AFTER_MIN after midnight in Shanghai (00:10): yesterday's books close and
	// its statements are built (settlement runs at midnight), then the window's missing days.
	{ id: 'statements-daily', queue: QUEUES.STATEMENTS, pattern: dailyRunPattern(), job: 'statements.fanOut' },
	// Hourly: expired exports lose their files (下载管理 keeps them 7 days), and the rest of the upkeep.
	{ id: 'upkeep-hourly', queue: QUEUES.EXPORTS, pattern: '5 * * * *', job: 'upkeep.hourly' }
];

/**
 * Schedules of earlier releases: removed on registration, or Redis would keep firing their
 * jobs (which no handler takes any more) for ever. 'exports-expire' ran 'exports.expire',
 * the hourly upkeep under its old name.
 */
export const RETIRED_SCHEDULES: readonly { id: string; queue: QueueName }[] = [{ id: 'exports-expire', queue: QUEUES.EXPORTS }];

export async function registerSchedulers(queueFor: (name: QueueName) => Queue): Promise<void> {
	for (const s of RETIRED_SCHEDULES) await queueFor(s.queue).removeJobScheduler(s.id);
	for (const s of SCHEDULES) {
		await queueFor(s.queue).upsertJobScheduler(s.id, { pattern: s.pattern, tz: BUSINESS_TZ }, { name: s.job, data: {} });
	}
}
