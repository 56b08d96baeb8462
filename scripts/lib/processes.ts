// Small process helpers shared by scripts/demo.ts and the e2e harness (plain Node).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { withCheckoutLock } from '../bundle.js';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const srv = createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, host, () => srv.close(() => resolve(true)));
	});
}

/** `preferred` when it is free, else whatever port the OS hands out. */
export async function freePort(preferred?: number, host = '127.0.0.1'): Promise<number> {
	if (preferred && (await isPortFree(preferred, host))) return preferred;
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, host, () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

/** Polls until the URL answers below 500; rejects on timeout or when `child` dies first. */
export async function waitForHttp(url: string, opts: { timeoutMs?: number; child?: ChildProcess } = {}): Promise<void> {
	const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
	while (Date.now() < deadline) {
		if (opts.child && opts.child.exitCode !== null) throw new Error(`server exited with code ${opts.child.exitCode} before answering ${url}`);
		try {
			const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
			await res.body?.cancel();
			if (res.status < 500) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`${url} did not answer within ${opts.timeoutMs ?? 30_000} ms`);
}

/**
 * Runs a command to completion; rejects on a non-zero exit. `quiet` keeps its output to
 * itself unless it fails (then the last lines are printed), so a build does not bury the logs.
 */
export function run(cmd: string, args: string[], opts: SpawnOptions & { quiet?: boolean } = {}): Promise<void> {
	const { quiet, ...spawnOpts } = opts;
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', ...spawnOpts });
		const tail: string[] = [];
		const keep = (line: string) => {
			tail.push(line);
			if (tail.length > 80) tail.shift();
		};
		if (quiet) {
			prefixLines(child.stdout, '', keep);
			prefixLines(child.stderr, '', keep);
		}
		// A build must not outlive the script that started it (e.g. a SIGTERM to the demo only).
		const killChild = () => child.kill('SIGTERM');
		process.once('exit', killChild);
		child.once('error', reject);
		// 'close' (not 'exit'): the output pipes are drained by then, so the tail is complete.
		child.once('close', (code, signal) => {
			process.off('exit', killChild);
			if (code === 0) return resolve();
			if (quiet) console.error(tail.join('\n'));
			reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`));
		});
	});
}

/** Copies a child's output line by line with a tag in front, so two servers stay readable. */
export function prefixLines(stream: Readable | null, tag: string, write: (line: string) => void): void {
	if (!stream) return;
	createInterface({ input: stream }).on('line', (line) => write(tag ? `${tag} ${line}` : line));
}

function newestMtime(path: string): number {
	const st = statSync(path, { throwIfNoEntry: false });
	if (!st) return 0;
	if (!st.isDirectory()) return st.mtimeMs;
	let newest = st.mtimeMs;
	for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
	return newest;
}

/** What the server bundle is built from: the app, and db/ and jobs/ which it bundles too. */
const BUILD_INPUTS = ['src', 'db', 'jobs', 'static', 'package.json', 'package-lock.json', 'svelte.config.js', 'vite.config.ts'];

/** True when build/handler.js is newer than every build input. */
function buildIsFresh(root: string): boolean {
	const built = statSync(join(root, 'build', 'handler.js'), { throwIfNoEntry: false });
	if (!built) return false;
	return BUILD_INPUTS.every((p) => newestMtime(join(root, p)) < built.mtimeMs);
}

/**
 * buildIfStale, then a private copy of build/ at `dest` (inside the checkout, so the copy still
 * finds node_modules): a server run from it survives someone rebuilding build/ meanwhile.
 */
export async function buildSnapshot(root: string, dest: string, log: (line: string) => void = console.log): Promise<void> {
	await buildIfStale(root, log, () => {
		rmSync(dest, { recursive: true, force: true });
		cpSync(join(root, 'build'), dest, { recursive: true });
	});
}

/** `vite build` unless build/ is already newer than its inputs; `then` runs still under the lock. */
export async function buildIfStale(root: string, log: (line: string) => void = console.log, then?: () => void): Promise<void> {
	// One `vite build` at a time per checkout: two builds writing .svelte-kit/output and build/
	// at once break each other (a demo and an e2e run, say).
	await withCheckoutLock(root, 'build', async () => {
		await build();
		then?.();
	});
	async function build() {
		if (buildIsFresh(root)) {
			log('build/ is up to date');
			return;
		}
		log('building the app (vite build)…');
		const started = Date.now();
		await run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: root, quiet: true });
		log(`built in ${Date.now() - started} ms`);
	}
}
