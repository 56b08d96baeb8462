// e2e harness: a fresh database (mb_e2e_<random>), migrated and seeded small; the app built
// once (then copied, see buildSnapshot) and served by `node` on a free port. Tests get BASE_URL and DATABASE_URL by inject().
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '#db';
import { migrateToLatest } from '#db/migrate.ts';
import { closeRedis, createWorkerConnection, DEFAULT_REDIS_URL } from '#shared/server/queue/redis.ts';
import { webArgs } from '../../../scripts/bundle.js';
import { buildSnapshot, freePort, prefixLines, waitForHttp } from '../../../scripts/lib/processes.ts';
import { seedIfEmpty } from '../../../scripts/lib/seed.ts';
import { adminUrl, withDatabase } from '../../setup/urls.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		baseUrl: string;
		databaseUrl: string;
	}
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Small enough to seed in seconds, big enough that every card has flows. */
export const E2E_SEED_SIZE = { users: 20, days: 5, ordersPerDay: 40, secondUsers: 5, secondDays: 2, secondOrdersPerDay: 10 };

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
	const c = new pg.Client({ connectionString: adminUrl() });
	await c.connect();
	try {
		return await fn(c);
	} finally {
		await c.end();
	}
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const name = `mb_e2e_${randomBytes(5).toString('hex')}`;
	const databaseUrl = withDatabase(name);
	const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
	const redisPrefix = `mbe2e:${name}`;
	const log = (line: string) => console.log(`[e2e] ${line}`);
	const serverDir = join(ROOT, '.data', `e2e-build-${name}`);
	let server: ChildProcess | undefined;

	const teardown = async () => {
		if (server && server.exitCode === null) {
			const exited = new Promise((r) => server!.once('exit', r));
			server.kill('SIGTERM');
			const timer = setTimeout(() => server!.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		}
		rmSync(serverDir, { recursive: true, force: true });
		await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
		process.env.REDIS_PREFIX = redisPrefix;
		const redis = createWorkerConnection('mb-e2e-cleanup');
		const keys = await redis.keys(`${redisPrefix}:*`);
		if (keys.length) await redis.del(...keys);
		await closeRedis(redis);
	};

	try {
		const started = Date.now();
		await admin((c) => c.query(`CREATE DATABASE ${name}`));
		const db = createDb(databaseUrl, 2);
		try {
			await migrateToLatest(db);
			await seedIfEmpty(db, E2E_SEED_SIZE, log);
		} finally {
			await db.destroy();
		}
		log(`database ${name} ready in ${Date.now() - started} ms`);

		// Served from a private copy: another run rebuilding build/ must not pull files from under it.
		await buildSnapshot(ROOT, serverDir, log);
		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		server = spawn(process.execPath, webArgs(serverDir), {
			cwd: ROOT,
			// One info line per request would fill the run's output: warnings and errors still show.
			env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix, HOST: '127.0.0.1', PORT: String(port), ORIGIN: baseUrl },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		prefixLines(server.stdout, '[e2e web]', (l) => console.log(l));
		prefixLines(server.stderr, '[e2e web]', (l) => console.error(l));
		await waitForHttp(`${baseUrl}/login`, { child: server, timeoutMs: 30_000 });
		log(`server up at ${baseUrl}`);

		project.provide('baseUrl', baseUrl);
		project.provide('databaseUrl', databaseUrl);
	} catch (err) {
		await teardown().catch(() => {});
		throw err;
	}
	return teardown;
}
