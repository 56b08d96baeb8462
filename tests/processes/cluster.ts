// A small deployment on one machine for the multi-process test: web processes (`node build`
// from a private copy of the build, each on its own port) and workers (`npm run worker`), all
// on one database and one Redis prefix, spoken to over HTTP the way the browser does.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { vi } from 'vitest';
import { createDb } from '../../db/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { closeRedis, createWorkerConnection } from '../../src/lib/server/queue/redis.ts';
import { buildSnapshot, freePort, waitForHttp } from '../../scripts/lib/processes.ts';
import { seedIfEmpty } from '../../scripts/lib/seed.ts';
import { adminUrl, withDatabase } from '../setup/urls.ts';
import { E2E_SEED_SIZE } from '../e2e/setup/global.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Proc {
	name: string;
	pid: number;
	output: () => string;
	alive: () => boolean;
	/** SIGTERM (SIGKILL after 10 s); resolves with the exit code. */
	stop: () => Promise<number | null>;
}

function track(name: string, child: ChildProcess): Proc {
	let out = '';
	child.stdout?.on('data', (b) => (out += b));
	child.stderr?.on('data', (b) => (out += b));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const alive = () => child.exitCode === null && child.signalCode === null;
	return {
		name,
		pid: child.pid!,
		output: () => out,
		alive,
		stop: async () => {
			if (!alive()) return child.exitCode;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
			const code = await exited;
			clearTimeout(timer);
			return code;
		}
	};
}

async function adminQuery(text: string): Promise<void> {
	const c = new pg.Client({ connectionString: adminUrl() });
	await c.connect();
	try {
		await c.query(text);
	} finally {
		await c.end();
	}
}

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
	const databaseUrl = withDatabase(name);
	const redisPrefix = `mbmulti:${name}`;
	const buildDir = join(ROOT, '.data', `multi-build-${name}`);
	const procs: Proc[] = [];
	const cluster: Cluster = {
		databaseUrl,
		redisPrefix,
		webs: [],
		workers: [],
		logs: () => procs.map((p) => `--- ${p.name} (pid ${p.pid})\n${p.output()}`).join('\n'),
		stop: async () => {
			await Promise.all(procs.map((p) => p.stop()));
			rmSync(buildDir, { recursive: true, force: true });
			await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
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
		await adminQuery(`CREATE DATABASE ${name}`);
		const db = createDb(databaseUrl, 2);
		const quiet = vi.spyOn(console, 'log').mockImplementation(() => {}); // a line per migration
		try {
			await migrateToLatest(db);
			await seedIfEmpty(db, E2E_SEED_SIZE, () => {});
		} finally {
			quiet.mockRestore();
			await db.destroy();
		}
		await buildSnapshot(ROOT, buildDir, () => {});
		const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_PREFIX: redisPrefix };
		// Side by side: each process boots while the others do, as a deployment's would.
		const webs = Array.from({ length: opts.webs }, async (_, i) => {
			const port = await freePort();
			const base = `http://127.0.0.1:${port}`;
			const child = spawn(process.execPath, [buildDir], {
				cwd: ROOT,
				env: { ...env, HOST: '127.0.0.1', PORT: String(port), ORIGIN: base, ...opts.webEnv },
				stdio: ['ignore', 'pipe', 'pipe']
			});
			const p = track(`web ${String.fromCharCode(65 + i)}`, child);
			procs.push(p);
			await waitForHttp(`${base}/healthz`, { child, timeoutMs: 30_000 });
			return { ...p, base };
		});
		const workers = Array.from({ length: opts.workers }, async (_, i) => {
			const child = spawn(process.execPath, ['--import', 'tsx', 'jobs/worker.ts'], {
				cwd: ROOT,
				env: { ...env, ...opts.workerEnv },
				stdio: ['ignore', 'pipe', 'pipe']
			});
			const p = track(`worker ${i + 1}`, child);
			procs.push(p);
			await until(`${p.name} to be ready`, async () => p.output().includes('worker ready') || !p.alive(), 60_000);
			if (!p.alive()) throw new Error(`${p.name} exited:\n${p.output()}`);
			return p;
		});
		cluster.webs = await Promise.all(webs);
		cluster.workers = await Promise.all(workers);
		return cluster;
	} catch (err) {
		await cluster.stop().catch(() => {});
		throw err;
	}
}

export interface Answer<T = unknown> {
	status: number;
	body: T;
}

/** One tRPC call over HTTP as the browser's client makes it (superjson `{ json }` envelope). */
export async function call<T = unknown>(base: string, cookie: string, path: string, input: unknown, method: 'GET' | 'POST' = 'GET'): Promise<Answer<T>> {
	const payload = JSON.stringify({ json: input });
	const res =
		method === 'GET'
			? await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(payload)}`, { headers: { cookie } })
			: await fetch(`${base}/api/trpc/${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: payload });
	const text = await res.text();
	const env = JSON.parse(text) as { result?: { data: { json: T } }; error?: { json: T } };
	return { status: res.status, body: (env.result?.data.json ?? env.error?.json) as T };
}

/** Signs in through `base`; returns the Cookie header a browser would send from then on. */
export async function signIn(base: string, who: { merchantNo: string; phone: string; password: string }): Promise<string> {
	const res = await fetch(`${base}/api/trpc/auth.signIn`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ json: who })
	});
	await res.text();
	const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
	if (res.status !== 200 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
	return cookie.split(';')[0];
}

/** Polls `probe` until it returns something truthy; its last error goes into the timeout message. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false | null>, ms = 30_000, extra = () => ''): Promise<T> {
	const end = Date.now() + ms;
	let last: unknown;
	for (;;) {
		const v = await probe().catch((err) => void (last = err));
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last probe: ${String(last)})` : ''}\n${extra()}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
