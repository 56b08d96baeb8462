// The fault suite's set-up: its own database (migrated, small demo seed), the built app served
// by `node` from a private copy, the worker as its own process, and HTTP helpers that talk to
// them as the browser does. Everything runs as real processes so a fault that would kill one
// shows as a process that exited.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { vi } from 'vitest';
import { createDb, type Db } from '../../db/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { buildSnapshot, freePort, waitForHttp } from '../../scripts/lib/processes.ts';
import { seedIfEmpty } from '../../scripts/lib/seed.ts';
import { E2E_SEED_SIZE } from '../e2e/setup/global.ts';
import { DEMO } from '../e2e/helpers.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A server URL with another database name (the server part is kept). */
export function withDatabase(serverUrl: string, name: string): string {
	const u = new URL(serverUrl);
	u.pathname = `/${name}`;
	return u.toString();
}

export async function adminQuery(serverUrl: string, text: string): Promise<void> {
	const c = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
	await c.connect();
	try {
		await c.query(text);
	} finally {
		await c.end();
	}
}

/** A fresh database with the small demo seed (the demo admin, ~5 days of orders). */
export async function createSeededDatabase(serverUrl: string, name: string): Promise<string> {
	await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
	const url = withDatabase(serverUrl, name);
	const db = createDb(url, 2);
	const quiet = vi.spyOn(console, 'log').mockImplementation(() => {}); // one line per migration
	try {
		await migrateToLatest(db);
		await seedIfEmpty(db, E2E_SEED_SIZE, () => {});
	} finally {
		quiet.mockRestore();
		await db.destroy();
	}
	return url;
}

export interface Proc {
	child: ChildProcess;
	output: () => string;
	alive: () => boolean;
	/** SIGTERM, SIGKILL after `ms`; resolves with the exit code. */
	stop: (ms?: number) => Promise<number | null>;
}

function track(child: ChildProcess): Proc {
	let out = '';
	child.stdout?.on('data', (b) => (out += b));
	child.stderr?.on('data', (b) => (out += b));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	return {
		child,
		output: () => out,
		alive: () => child.exitCode === null && child.signalCode === null,
		stop: async (ms = 10_000) => {
			if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), ms);
			const code = await exited;
			clearTimeout(timer);
			return code;
		}
	};
}

/**
 * A private copy of the build. The e2e global setup has just built it fresh; a source edited
 * since (another checkout user) does not make each fault file rebuild. Builds only if missing.
 */
export async function buildCopy(name: string): Promise<{ dir: string; remove: () => void }> {
	const dir = join(ROOT, '.data', `fault-build-${name}`);
	if (existsSync(join(ROOT, 'build', 'handler.js'))) cpSync(join(ROOT, 'build'), dir, { recursive: true });
	else await buildSnapshot(ROOT, dir, () => {});
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startWeb(buildDir: string, env: Record<string, string>): Promise<Proc & { base: string }> {
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, [buildDir], {
		cwd: ROOT,
		env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ORIGIN: base, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const p = track(child);
	await waitForHttp(`${base}/healthz`, { child, timeoutMs: 30_000 });
	return { ...p, base };
}

/** `npm run worker` as its own process; resolves once it says it is ready. */
export async function startWorker(env: Record<string, string>): Promise<Proc> {
	const child = spawn(process.execPath, ['--import', 'tsx', 'jobs/worker.ts'], {
		cwd: ROOT,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const p = track(child);
	const end = Date.now() + 30_000;
	while (!p.output().includes('worker ready')) {
		if (!p.alive() || Date.now() > end) throw new Error(`the worker did not start:\n${p.output()}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	return p;
}

export interface Answer<T = unknown> {
	status: number;
	headers: Headers;
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
	let json: unknown = text;
	try {
		json = JSON.parse(text);
	} catch {
		// not JSON: keep the text
	}
	const env = json as { result?: { data: { json: T } }; error?: { json: T } };
	return { status: res.status, headers: res.headers, body: (env.result?.data.json ?? env.error?.json ?? json) as T };
}

/** Signs the demo admin in; returns the Cookie header to send. */
export async function signIn(base: string): Promise<string> {
	const res = await fetch(`${base}/api/trpc/auth.signIn`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ json: { merchantNo: DEMO.merchantNo, phone: DEMO.phone, password: DEMO.password } })
	});
	await res.text();
	const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
	if (res.status !== 200 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
	return cookie.split(';')[0];
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false | null>, ms = 30_000, extra = () => ''): Promise<T> {
	const end = Date.now() + ms;
	let last: unknown;
	for (;;) {
		// A probe may fail while the fault lasts (its own connection was cut too): try again.
		const v = await probe().catch((err) => void (last = err));
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last probe: ${String(last)})` : ''}\n${extra()}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

export const uniqueName = (what: string) => `mb_fault_${what}_${randomBytes(4).toString('hex')}`;

export type { Db };
