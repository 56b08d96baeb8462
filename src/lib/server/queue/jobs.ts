// Queue names, job names, their payloads and job ids: the one contract between the web side
// and the features (which enqueue) and jobs/ (which runs). Payloads carry ids only; each
// handler re-reads its rows, so a retried or duplicated job is harmless.
import type { JobsOptions } from 'bullmq';

export const QUEUES = {
	STATEMENTS: 'statements',
	EXPORTS: 'exports'
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Every job name and its payload. Adding a name here without a handler fails the worker's boot. */
export interface JobPayloads {
	/** Daily: finds yesterday's (Asia/Shanghai) accounting date and the active merchants. */
	'statements.fanOut': Record<string, never>;
	/** Builds one statement (both files); the id is bigint as text. */
	'statements.build': { statementId: string };
	/** Builds one export file; the id is bigint as text. */
	'exports.build': { exportId: string };
	/** Hourly upkeep: expired exports' files, files abandoned half-written, security data past its life. */
	'upkeep.hourly': Record<string, never>;
}
export type JobName = keyof JobPayloads;

/** Added to a payload by the enqueue helpers: the web request that asked for the job, for the job's log lines. */
export interface JobTrace {
	requestId?: string;
}

/** Which queue each job runs on (by workload: scheduled statements vs on-demand exports). */
export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
	'statements.fanOut': QUEUES.STATEMENTS,
	'statements.build': QUEUES.STATEMENTS,
	'exports.build': QUEUES.EXPORTS,
	// Light and short: it shares the on-demand queue rather than holding a worker of its own.
	'upkeep.hourly': QUEUES.EXPORTS
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

export function isJobName(name: string): name is JobName {
	return Object.hasOwn(JOB_QUEUE, name);
}

/** Keeps Redis small: finished jobs are evidence only until the Postgres row says done. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
	attempts: 3,
	backoff: { type: 'exponential', delay: 5_000 },
	removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
	removeOnFail: { age: 30 * 24 * 3600 }
};

/** One job id per export: a second enqueue while one waits or runs adds nothing. */
export const exportJobId = (exportId: bigint) => `export.${exportId}`;

/** One job id per merchant and day (BullMQ ids may not hold ':'). */
export const statementJobId = (merchantId: bigint, accountingDate: string) => `statement.${merchantId}.${accountingDate}`;
