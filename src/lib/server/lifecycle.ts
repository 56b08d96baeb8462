// The web process's life around requests: crash logging, the readiness state /readyz reports,
// and the end. adapter-node handles SIGTERM/SIGINT itself: it stops accepting connections,
// lets requests and downloads in flight finish for up to SHUTDOWN_TIMEOUT seconds (30), then
// emits 'sveltekit:shutdown', where the pools are closed here so the process can exit.
import type { Redis } from 'ioredis';
import { closeDb, getDb, setDbLog } from '#db';
import { closeFilePool } from '$lib/server/files/pool';
import { closeQueues } from '$lib/server/queue/queues';
import { closeRedis, createEnqueueConnection, redisPrefix } from '$lib/server/queue/redis';
import { logCrashes } from './crash-guard';
import { activeLog, logger } from './log';
import { checkReadiness, type Readiness } from './health/readiness';

interface State {
	started: boolean;
	draining: boolean;
	redis?: Redis;
}

// On globalThis: the dev server reloads this module, and listeners must not stack.
const key = Symbol.for('merchant-backoffice.web-lifecycle');
const g = globalThis as { [key]?: State };
const current = () => (g[key] ??= { started: false, draining: false });

export function startWebLifecycle(): void {
	const state = current();
	if (state.started) return;
	state.started = true;
	logCrashes('web');
	setDbLog((line) => activeLog().error(line));
	// From the signal on, /readyz says "not ready", so a load balancer that still has a
	// keep-alive connection open stops sending new work here.
	const drain = () => (state.draining = true);
	process.once('SIGTERM', drain);
	process.once('SIGINT', drain);
	process.on('sveltekit:shutdown', async (reason) => {
		logger.info(`[web] ${reason}: requests finished, closing pools`);
		await Promise.allSettled([closeQueues(), closeDb(), closeFilePool(), state.redis ? closeRedis(state.redis) : undefined]);
		// Anything else still open (a worker thread, a stray timer) must not keep a stopped server alive.
		setTimeout(() => process.exit(0), 1_000).unref();
	});
}

/** Postgres, migrations, Redis and the worker's heartbeat, as /readyz shows them. */
export function readiness(): Promise<Readiness> {
	const state = current();
	state.redis ??= createEnqueueConnection('mb-web-health');
	return checkReadiness(getDb(), state.redis, redisPrefix(), state.draining);
}
