// `npm run worker` under plain Node (tsx, no SvelteKit): boots, then stops on SIGTERM with exit 0.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRedis, createWorkerConnection, redisPrefix } from '#shared/server/queue/redis.ts';

afterAll(async () => {
	const redis = createWorkerConnection('mb-test-cleanup');
	const keys = await redis.keys(`${redisPrefix()}:*`);
	if (keys.length) await redis.del(...keys);
	await closeRedis(redis);
});

describe('worker process', () => {
	it('boots under tsx and exits 0 on SIGTERM', async () => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'jobs/worker.ts'], {
			env: { ...process.env, WORKER_CONCURRENCY: '1' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		child.stdout.on('data', (b) => (out += b));
		child.stderr.on('data', (b) => (out += b));
		const ready = await new Promise<boolean>((resolve) => {
			const timer = setTimeout(() => resolve(false), 60_000);
			child.stdout.on('data', () => {
				if (out.includes('worker ready')) {
					clearTimeout(timer);
					resolve(true);
				}
			});
			child.on('exit', () => resolve(false));
		});
		expect(ready, out).toBe(true);
		expect(out).toContain(`prefix ${process.env.REDIS_PREFIX}`);
		child.kill('SIGTERM');
		const [code] = await once(child, 'exit');
		expect(code, out).toBe(0);
		expect(out).toContain('worker: stopped');
	}, 90_000);
});
