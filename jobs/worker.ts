// The job process (`npm run worker`): one BullMQ Worker per queue, the schedulers, and a
// graceful stop on SIGINT/SIGTERM. Runs under plain Node, bundled by scripts/bundle.js into
// dist/worker.js: no SvelteKit imports ($app, $env, $lib).
import { pathToFileURL } from 'node:url';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { closeDb, getDb, runAsBuilder, setDbLog, type Db } from '../db/index.ts';
import { assertHandlersComplete, HANDLERS, onWorkerStart, requeueUnfinished, type JobHandlers } from './handlers.ts';
import { isJobName, QUEUES, type JobTrace, type QueueName } from '#shared/server/queue/jobs.ts';
import { closeQueues } from '#shared/server/queue/queues.ts';
import { closeRedis, createWorkerConnection, redisPrefix } from '#shared/server/queue/redis.ts';
import { registerSchedulers } from './schedulers.ts';
import { logCrashes } from '#shared/server/crash-guard.ts';
import { closeFilePool } from '#shared/server/files/pool.ts';
import { startHeartbeat } from '#shared/server/health/heartbeat.ts';
import { activeLog, logger, withLogScope } from '#shared/server/log.ts';
import { metrics } from '#shared/server/metrics.ts';
import { startMetricsServer, workerMetricsPort, type MetricsServer } from '#shared/server/metrics-server.ts';

export interface WorkerOptions {
	db?: Db;
	/** Jobs run at once per queue; default WORKER_CONCURRENCY or 2. */
	concurrency?: number;
	handlers?: JobHandlers;
	/** Register the repeatable jobs (default true). */
	schedulers?: boolean;
	/** How often unfinished rows are re-enqueued and the schedules re-registered (ms); 0 = only at boot. */
	sweepMs?: number;
	/** Build the statement window's missing days at start (default: yes, unless WORKER_CATCH_UP=0). */
	catchUp?: boolean;
	/** Receives each line's message instead of the process's JSON logger (tests). */
	log?: (line: string) => void;
}

type Fields = Record<string, unknown>;

/** What a job's lines say about it: which job, and which request asked for it. */
function jobFields(queue: string, job: Job | undefined): Fields {
	return { queue, job: job?.name, jobId: job?.id, requestId: (job?.data as JobTrace | undefined)?.requestId };
}

export interface RunningWorkers {
	workers: Worker[];
	close(): Promise<void>;
}

export function workerConcurrency(): number {
	const n = Number(process.env.WORKER_CONCURRENCY ?? 2);
	return Number.isInteger(n) && n > 0 ? n : 2;
}

/** How long a job's lock lives without renewal, and how often stalled jobs are looked for (ms). */
export function workerLockMs(): number {
	const n = Number(process.env.WORKER_LOCK_MS ?? 30_000);
	return Number.isInteger(n) && n >= 1_000 ? n : 30_000;
}

export function workerSweepMs(): number {
	const n = Number(process.env.WORKER_SWEEP_MS ?? 60_000);
	return Number.isInteger(n) && n >= 0 ? n : 60_000;
}

export async function startWorkers(opts: WorkerOptions = {}): Promise<RunningWorkers> {
	const handlers = opts.handlers ?? HANDLERS;
	assertHandlersComplete(handlers);
	const db = opts.db ?? getDb();
	const custom = opts.log;
	const emit = (level: 'info' | 'warn' | 'error', fields: Fields, msg: string) => (custom ? custom(msg) : logger[level](fields, msg));
	const log = (line: string) => emit('info', {}, line);
	const concurrency = opts.concurrency ?? workerConcurrency();
	const prefix = redisPrefix();
	const connection = createWorkerConnection();

	const processJob = async (job: Job, token?: string) => {
		const name = job.name;
		// A job nobody handles would fail the same way on every retry.
		if (!isJobName(name)) throw new UnrecoverableError(`no handler for job ${name}`);
		const handler = handlers[name] as (job: Job, ctx: { db: Db; token?: string }) => Promise<unknown>;
		// Everything the handler logs or enqueues carries this job and the request that asked for it.
		const fields = jobFields(job.queueName, job);
		const requestId = fields.requestId as string | undefined;
		return withLogScope({ requestId, log: logger.child(fields) }, () => handler(job, { db, token }));
	};

	const workers = Object.values(QUEUES).map((queue) => {
		// A killed worker's jobs are taken over once their lock lapses (stalled-job recovery).
		const lockMs = workerLockMs();
		const w = new Worker(queue, processJob, { connection, prefix, concurrency, lockDuration: lockMs, stalledInterval: lockMs });
		w.on('completed', (job) => {
			metrics.jobs.inc({ name: job.name, outcome: 'completed' });
			emit('info', { ...jobFields(queue, job), durationMs: elapsed(job) }, `job ${queue}/${job.name}#${job.id} completed in ${elapsed(job)} ms`);
		});
		w.on('failed', (job, err) => {
			metrics.jobs.inc({ name: job?.name ?? 'unknown', outcome: 'failed' });
			emit(
				'warn',
				{ ...jobFields(queue, job), attempt: job?.attemptsMade, err },
				`job ${queue}/${job?.name}#${job?.id} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`
			);
		});
		w.on('error', (err) => emit('error', { queue, err }, `worker ${queue} error: ${err.message}`));
		return w;
	});

	const queues = new Map<QueueName, Queue>();
	const queueFor = (name: QueueName) => {
		let q = queues.get(name);
		if (!q) {
			queues.set(name, (q = new Queue(name, { connection, prefix })));
			q.on('error', (err) => emit('error', { queue: name }, `queue ${name} error: ${err.message}`));
		}
		return q;
	};
	// Redis may have lost its queues and schedules (it keeps nothing on disk): put back what the
	// Postgres rows say is unfinished, and the schedules, now and every sweep.
	const sweep = async () => {
		if (opts.schedulers ?? true) await registerSchedulers(queueFor);
		const r = await requeueUnfinished(db);
		if (r.exports || r.statements) log(`sweep: ${r.exports} export(s) and ${r.statements} statement(s) had no job; enqueued again`);
	};
	await sweep();
	// Days of the statement window without a statement are built, behind anything newer.
	if (opts.catchUp ?? process.env.WORKER_CATCH_UP !== '0') {
		const started = await onWorkerStart(db);
		if (started.statements) log(`catch-up: ${started.statements} statement(s) of the window enqueued`);
	}
	const sweepMs = opts.sweepMs ?? workerSweepMs();
	// While Redis or Postgres is down a sweep waits for it: never start a second one meanwhile.
	let sweeping: Promise<void> | undefined;
	const tick = () => {
		sweeping ??= sweep()
			.catch((err: Error) => emit('error', {}, `sweep failed: ${err.message}`))
			.finally(() => (sweeping = undefined));
	};
	const timer = sweepMs > 0 ? setInterval(tick, sweepMs) : undefined;
	await Promise.all(workers.map((w) => w.waitUntilReady()));
	// /readyz on the web shows this worker alive while the key keeps being renewed.
	const heartbeat = startHeartbeat(connection, prefix, Object.values(QUEUES));
	log(`worker ready: queues ${Object.values(QUEUES).join(', ')}, concurrency ${concurrency}, prefix ${prefix}`);

	let closing: Promise<void> | undefined;
	return {
		workers,
		close: () =>
			(closing ??= (async () => {
				clearInterval(timer);
				await heartbeat.stop();
				// Lets running jobs finish; their Postgres rows make a cut-off job safe to rerun.
				await Promise.allSettled(workers.map((w) => w.close()));
				await Promise.allSettled([...queues.values()].map((q) => q.close()));
				await closeRedis(connection);
				await closeQueues();
			})())
	};
}

function elapsed(job: Job): number | string {
	return job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : '?';
}

async function main(): Promise<void> {
	logCrashes('worker');
	setDbLog((line) => activeLog().error(line));
	// Builds run statements far longer than a web request's limit allows, at a lower CPU
	// priority than the web (the backends' share is set as they connect, db/index.ts).
	const { niceError, group } = runAsBuilder();
	if (niceError) logger.warn(`worker: could not lower its CPU priority: ${niceError.message}`);
	if (group.kind === 'lowered') logger.info(`worker: its session's autogroup runs at nice ${group.nice}`);
	// Shares the CPU equally with the session it was started in, whatever its nice (db/autogroup.ts).
	else if (group.kind === 'shared') logger.info(`worker: shares session ${group.sessionId}'s autogroup; start it with setsid (or under its own systemd unit) so builds yield to the web`);
	else logger.info(`worker: autogroup left as it is (${group.reason})`);
	// Handlers go in before the (async) start, so a stop signal that arrives while the
	// workers connect still ends in a clean close rather than Node's default kill.
	const starting = startWorkers();
	// Prometheus scrapes the worker here (it has no HTTP server otherwise).
	const port = workerMetricsPort();
	const metricsServer: Promise<MetricsServer | undefined> = port === undefined ? Promise.resolve(undefined) : startMetricsServer(port);
	metricsServer.then(
		(m) => m && logger.info(`worker metrics on port ${m.port}`),
		(err: Error) => logger.error({ err }, `worker metrics server failed: ${err.message}`)
	);
	const stop = async (signal: string) => {
		logger.info(`worker: ${signal}, closing`);
		const force = setTimeout(() => {
			logger.error('worker: jobs did not finish within 30 s, exiting');
			process.exit(1);
		}, 30_000);
		force.unref();
		const running = await starting;
		await running.close();
		await Promise.allSettled([closeDb(), closeFilePool(), metricsServer.then((m) => m?.close())]);
		logger.info('worker: stopped');
		process.exit(0);
	};
	process.once('SIGINT', () => void stop('SIGINT'));
	process.once('SIGTERM', () => void stop('SIGTERM'));
	await starting;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	main().catch((err: Error) => {
		logger.fatal({ err }, `worker failed to start: ${err.message}`);
		process.exit(1);
	});
}
