// Prometheus metrics of the web and worker processes: one registry per process, the metric
// definitions, and the scrape (bearer token METRICS_TOKEN). Gauges of things that live elsewhere
// (pg pools, BullMQ queues) are read at scrape time, so nothing has to report to them.
// README "Operations" says what each means and what to alert on.
// No $lib imports (#db, #shared are fine): the worker runs this under plain Node.
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { trackedPools } from '#db';
import { QUEUES } from './queue/jobs.ts';
import { getQueue } from './queue/queues.ts';

// Seconds. Pages and lists should answer within tens of ms; the tail up to the 30 s statement limit.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// A build is seconds to tens of minutes (5M-row exports).
const BUILD_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

/** How long a scrape waits for Redis before leaving the queue gauges out. */
const QUEUE_SCRAPE_TIMEOUT_MS = 2_000;

function build() {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry });
	const r = { registers: [registry] };
	return {
		registry,
		httpDuration: new Histogram({
			name: 'mb_http_request_duration_seconds',
			help: 'HTTP requests by SvelteKit route id (not the raw path), method and status, from the hook to the response',
			labelNames: ['route', 'method', 'status'] as const,
			buckets: LATENCY_BUCKETS,
			...r
		}),
		trpcDuration: new Histogram({
			name: 'mb_trpc_procedure_duration_seconds',
			help: 'tRPC procedure calls by path and type (a batch counts each call)',
			labelNames: ['path', 'type'] as const,
			buckets: LATENCY_BUCKETS,
			...r
		}),
		trpcErrors: new Counter({
			name: 'mb_trpc_errors_total',
			help: 'tRPC calls answered with an error, by path and tRPC code (SERVICE_UNAVAILABLE: Postgres or Redis down)',
			labelNames: ['path', 'code'] as const,
			...r
		}),
		buildDuration: new Histogram({
			name: 'mb_build_duration_seconds',
			help: 'Export and statement builds that wrote their files, by kind',
			labelNames: ['kind'] as const,
			buckets: BUILD_BUCKETS,
			...r
		}),
		buildRows: new Counter({ name: 'mb_build_rows_total', help: 'Rows written by finished builds, by kind', labelNames: ['kind'] as const, ...r }),
		buildRowsPerSecond: new Gauge({
			name: 'mb_build_rows_per_second',
			help: 'Rows per second of the latest finished build of each kind in this process',
			labelNames: ['kind'] as const,
			...r
		}),
		jobs: new Counter({
			name: 'mb_jobs_total',
			help: 'Jobs this worker finished, by job name and outcome (completed, failed)',
			labelNames: ['name', 'outcome'] as const,
			...r
		}),
		signInFailures: new Counter({
			name: 'mb_sign_in_failures_total',
			help: 'Sign-ins refused after a check (wrong password, unknown account, disabled), by reason',
			labelNames: ['reason'] as const,
			...r
		}),
		signInThrottled: new Counter({
			name: 'mb_sign_in_throttled_total',
			help: 'Sign-ins refused before any check by the per-address or per-account limits, by reason',
			labelNames: ['reason'] as const,
			...r
		}),
		pool: poolGauges(registry),
		queue: new Gauge({
			name: 'mb_queue_jobs',
			help: 'BullMQ jobs by queue and state (waiting, active, failed, delayed), read from Redis at scrape time',
			labelNames: ['queue', 'state'] as const,
			registers: [registry],
			async collect() {
				this.reset();
				const names = Object.values(QUEUES);
				const counts = await Promise.all(names.map((name) => withTimeout(getQueue(name).getJobCounts('waiting', 'active', 'failed', 'delayed'))));
				names.forEach((queue, i) => {
					for (const [state, n] of Object.entries(counts[i] ?? {})) this.set({ queue, state }, n);
				});
			}
		})
	};
}

/** Connections of each named pg pool (main, files): total, idle, and requests waiting for one. */
function poolGauges(registry: Registry) {
	const gauge = (what: 'total' | 'idle' | 'waiting', help: string, read: (p: { totalCount: number; idleCount: number; waitingCount: number }) => number) =>
		new Gauge({
			name: `mb_pg_pool_${what}`,
			help,
			labelNames: ['pool'] as const,
			registers: [registry],
			collect() {
				this.reset();
				for (const [pool, p] of trackedPools()) this.set({ pool }, read(p));
			}
		});
	return [
		gauge('total', 'Open connections of the pg pool', (p) => p.totalCount),
		gauge('idle', 'Idle connections of the pg pool', (p) => p.idleCount),
		gauge('waiting', 'Queries waiting for a free connection of the pg pool (above 0 for minutes: the pool is too small or queries too slow)', (p) => p.waitingCount)
	];
}

/** Redis down: the scrape still answers, without queue gauges (alert on their absence). */
async function withTimeout<T>(p: Promise<T>): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([p.catch(() => undefined), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), QUEUE_SCRAPE_TIMEOUT_MS)))]);
	} finally {
		clearTimeout(timer);
	}
}

// On globalThis: the dev server reloads modules, and a metric may be registered only once.
const key = Symbol.for('merchant-backoffice.metrics');
const g = globalThis as { [key]?: ReturnType<typeof build> };

/** This process's metrics. */
export const metrics = (g[key] ??= build());

/** Counts a sign-in refused by a limit before anything was checked, and passes the refusal on. */
export function throttledSignIn<const R extends { reason: string }>(refusal: R): R {
	metrics.signInThrottled.inc({ reason: refusal.reason });
	return refusal;
}

/** A finished build: its duration and rows, and the rate it wrote them at. */
export function recordBuild(kind: 'export' | 'statement', seconds: number, rows: number): void {
	metrics.buildDuration.observe({ kind }, seconds);
	metrics.buildRows.inc({ kind }, rows);
	metrics.buildRowsPerSecond.set({ kind }, seconds > 0 ? rows / seconds : rows);
}

interface ScrapeAnswer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/**
 * The answer to GET /metrics: the exposition with the right bearer token; 401 without it; 404
 * while METRICS_TOKEN is unset (metrics are off, and the endpoint does not say it exists).
 */
export async function scrape(authorization: string | null | undefined, token = process.env.METRICS_TOKEN): Promise<ScrapeAnswer> {
	const plain = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
	if (!token) return { status: 404, headers: plain, body: 'Not found\n' };
	const given = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
	if (!sameSecret(given, token)) return { status: 401, headers: { ...plain, 'WWW-Authenticate': 'Bearer' }, body: 'Unauthorized\n' };
	return { status: 200, headers: { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' }, body: await metrics.registry.metrics() };
}

/** Compared as hashes: equal length, constant time, whatever was sent. */
function sameSecret(a: string, b: string): boolean {
	const h = (s: string) => createHash('sha256').update(s).digest();
	return timingSafeEqual(h(a), h(b));
}
