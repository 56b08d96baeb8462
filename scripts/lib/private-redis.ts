// When no Redis answers, the demo starts its own from the redis-server on the PATH, with its
// data under .data/redis, the way it falls back to an embedded Postgres under .data/pg.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, prefixLines } from './processes.ts';
import { redisAnswers } from './redis-check.ts';

export function redisServerOnPath(): boolean {
	const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
	return r.status === 0;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Starts redis-server bound to 127.0.0.1 with its data in `dataDir`; on the port of `wantedUrl`
 * when that is a free loopback port, else on a free one. Resolves once it answers PING.
 */
export async function startPrivateRedis(wantedUrl: string, dataDir: string, log: (line: string) => void) {
	const wanted = new URL(wantedUrl);
	const port = await freePort(LOOPBACK.has(wanted.hostname) ? Number(wanted.port || 6379) : 6380);
	mkdirSync(dataDir, { recursive: true });
	const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir, '--save', '60 1', '--appendonly', 'no'], {
		stdio: ['ignore', 'pipe', 'pipe']
	});
	// Never outlive the demo, whichever way it ends.
	const killOnExit = () => child.kill('SIGTERM');
	process.once('exit', killOnExit);
	child.once('exit', () => process.off('exit', killOnExit));
	const tail: string[] = [];
	const keep = (line: string) => tail.push(line) > 20 && tail.shift();
	prefixLines(child.stdout, '', keep);
	prefixLines(child.stderr, '', keep);
	const url = `redis://127.0.0.1:${port}${wanted.pathname.length > 1 ? wanted.pathname : ''}`;
	const stop = () =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM'); // redis-server saves and exits on SIGTERM
		});
	const deadline = Date.now() + 10_000;
	while (!(await redisAnswers(url, 500))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			await stop();
			throw new Error(`redis-server did not start on port ${port}:\n${tail.join('\n')}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	log(`started a private Redis (redis-server) at ${url}, data in ${dataDir}`);
	return { url, stop };
}

export function privateRedisDir(root: string): string {
	return join(root, '.data', 'redis');
}
