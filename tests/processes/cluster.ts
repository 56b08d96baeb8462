// A small deployment on one machine for the multi-process test: web processes (`node build`
// from a private copy of the build, each on its own port) and workers (`npm run worker`), all
// on one database and one Redis prefix, spoken to over HTTP the way the browser does.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeRedis, createWorkerConnection } from '#shared/server/queue/redis.ts';
import { buildSnapshot } from '../../scripts/lib/processes.ts';
import { adminQuery, createSeededDatabase, ROOT, startWeb, startWorker, type Proc } from '../fixtures/processes.ts';
import { adminUrl } from '../setup/urls.ts';

export { call, shown, signIn, until } from '../fixtures/processes.ts';

export interface Cluster {
	databaseUrl: string;
	redisPrefix: string;
	webs: (Proc & { base: string })[];
	workers: Proc[];
	/** Every process's output, for a failure message. */
	logs: () => string;
	stop: () => Promise<void>;
}

/**
 * A fresh database (migrated, the small e2e seed), then `webs` web processes and `workers`
 * workers on it under one fresh Redis prefix. `stop` ends them and removes the database,
 * the Redis keys and the build copy.
 */
export async function startCluster(opts: { webs: number; workers: number; webEnv?: Record<string, string>; workerEnv?: Record<string, string> }): Promise<Cluster> {
	const name = `mb_multi_${randomBytes(5).toString('hex')}`;
	const server = adminUrl();
	const redisPrefix = `mbmulti:${name}`;
	const buildDir = join(ROOT, '.data', `multi-build-${name}`);
	const procs: Proc[] = [];
	const cluster: Cluster = {
		databaseUrl: '',
		redisPrefix,
		webs: [],
		workers: [],
		logs: () => procs.map((p) => `--- ${p.name} (pid ${p.pid})\n${p.output()}`).join('\n'),
		stop: async () => {
			await Promise.all(procs.map((p) => p.stop()));
			rmSync(buildDir, { recursive: true, force: true });
			await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			const saved = process.env.REDIS_PREFIX;
			process.env.REDIS_PREFIX = redisPrefix;
			const redis = createWorkerConnection('mb-multi-cleanup');
			try {
				const keys = await redis.keys(`${redisPrefix}:*`);
				if (keys.length) await redis.del(...keys);
			} finally {
				await closeRedis(redis);
				process.env.REDIS_PREFIX = saved;
			}
		}
	};
	try {
		cluster.databaseUrl = await createSeededDatabase(server, name);
		await buildSnapshot(ROOT, buildDir, () => {});
		const env = { DATABASE_URL: cluster.databaseUrl, REDIS_PREFIX: redisPrefix };
		// Side by side: each process boots while the others do, as a deployment's would.
		const webs = Array.from({ length: opts.webs }, (_, i) => startWeb(buildDir, { ...env, ...opts.webEnv }, `web ${String.fromCharCode(65 + i)}`, (p) => procs.push(p)));
		const workers = Array.from({ length: opts.workers }, (_, i) => startWorker({ ...env, ...opts.workerEnv }, `worker ${i + 1}`, (p) => procs.push(p)));
		cluster.webs = await Promise.all(webs);
		cluster.workers = await Promise.all(workers);
		return cluster;
	} catch (err) {
		await cluster.stop().catch(() => {});
		throw err;
	}
}

