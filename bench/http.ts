// The bench's HTTP side: a server to measure through (ours, or BASE_URL), sign-in, timed calls.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import superjson from 'superjson';
import { demoAdminPassword, demoAdminPhone } from '#seed/staff.ts';
import { webArgs } from '../scripts/bundle.js';
import { readAnswer } from '../src/lib/trpc/transformer.ts';
import { buildSnapshot } from '../scripts/lib/processes.ts';

export async function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => resolve(port));
		});
	});
}

const services = new Set<ChildProcess>();
let forwarding = false;

/**
 * A Node service in a session of its own (setsid), as a deployment runs the web and the worker:
 * with autogroups on, sharing this script's session would split one CPU share between the
 * service and the load it is measured under (db/autogroup.ts). Such a child does not hear the
 * terminal's Ctrl-C, so this process passes it on before it exits.
 */
export function spawnService(args: string[], opts: { env: NodeJS.ProcessEnv }): ChildProcess {
	if (!forwarding) {
		forwarding = true;
		for (const signal of ['SIGINT', 'SIGTERM'] as const)
			process.once(signal, () => {
				for (const child of services) child.kill('SIGTERM');
				process.exit(130);
			});
	}
	const child = spawn(process.execPath, args, { ...opts, stdio: 'ignore', detached: true });
	services.add(child);
	child.once('exit', () => services.delete(child));
	return child;
}

/**
 * `node build` on a free port, from a private copy of build/ (built first when stale, so a fresh
 * clone benches too; a rebuild by someone else meanwhile cannot pull files from under it).
 */
export async function startServer(): Promise<{ url: string; child: ChildProcess }> {
	const dir = join('.data', 'bench-build');
	await buildSnapshot(process.cwd(), join(process.cwd(), dir), (line) => console.log(line));
	const port = await freePort();
	const child = spawnService(webArgs(dir), { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` } });
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 100; i++) {
		try {
			await fetch(`${url}/login`);
			return { url, child };
		} catch {
			await new Promise((r) => setTimeout(r, 200));
		}
	}
	child.kill();
	throw new Error('the server did not start');
}

export async function signIn(base: string, merchantNo: string): Promise<string> {
	const res = await fetch(`${base}/api/trpc/auth.signIn`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: base },
		body: superjson.stringify({ merchantNo, phone: demoAdminPhone(), password: demoAdminPassword() })
	});
	const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('session='));
	if (!res.ok || !cookie) throw new Error(`sign-in failed (${res.status}): ${await res.text()}`);
	return cookie;
}

export interface Case {
	group: string;
	name: string;
	path: string;
	input: unknown;
}

/**
 * One kept-alive connection for the timed calls, through node:http: the client shares the
 * server's two cores, and fetch() (undici) cost it ~0.65 ms of CPU and a young-generation
 * collection every ~40 requests, which landed in the measured times (paired runs of 800 list
 * calls here: client p95 6.5–6.6 ms with fetch, 5.5–5.6 with this; p99 9.7–9.8 against 7.6–8.1).
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Closes the kept-alive connection (the process would wait for the server to drop it). */
export function closeClient(): void {
	agent.destroy();
}

function get(url: string, cookie: string): Promise<{ status: number; text: string }> {
	return new Promise((resolve, reject) => {
		http
			.get(url, { agent, headers: { cookie } }, (res) => {
				const parts: Buffer[] = [];
				res.on('data', (b: Buffer) => parts.push(b));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
				res.on('error', reject);
			})
			.on('error', reject);
	});
}

export async function call(base: string, cookie: string, c: Case): Promise<{ ms: number; body: unknown }> {
	const url = `${base}/api/trpc/${c.path}?input=${encodeURIComponent(superjson.stringify(c.input))}`;
	const t0 = performance.now();
	const res = await get(url, cookie);
	const ms = performance.now() - t0;
	if (res.status !== 200) throw new Error(`${c.path} ${res.status}: ${res.text.slice(0, 300)}`);
	return { ms, body: readAnswer((JSON.parse(res.text) as { result: { data: unknown } }).result.data) };
}

export function pct(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

