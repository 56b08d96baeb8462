// npm run demo's fallback when no Redis answers: its own redis-server on the wanted port, data
// kept under its directory across restarts, gone when stopped.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisServerOnPath, startPrivateRedis } from '../../scripts/lib/private-redis.ts';
import { freePort } from '../../scripts/lib/processes.ts';
import { redisAnswers } from '../../scripts/lib/redis-check.ts';

const dir = mkdtempSync(join(tmpdir(), 'mb-private-redis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withClient<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
	const r = new Redis(url, { maxRetriesPerRequest: 0 });
	try {
		return await fn(r);
	} finally {
		r.disconnect();
	}
}

describe('private Redis for the demo', () => {
	it('starts on the unused port REDIS_URL names, keeps its data in its directory, and stops', async () => {
		expect(redisServerOnPath()).toBe(true);
		const port = await freePort();
		const wanted = `redis://127.0.0.1:${port}`;
		expect(await redisAnswers(wanted)).toBe(false);

		const first = await startPrivateRedis(wanted, dir, () => {});
		expect(first.url).toBe(wanted);
		expect(await redisAnswers(wanted)).toBe(true);
		await withClient(wanted, (r) => r.set('demo:kept', 'yes'));
		await first.stop();
		expect(await redisAnswers(wanted)).toBe(false);
		expect(readdirSync(dir)).toContain('dump.rdb');

		const second = await startPrivateRedis(wanted, dir, () => {});
		expect(await withClient(wanted, (r) => r.get('demo:kept'))).toBe('yes');
		await second.stop();
		expect(await redisAnswers(wanted)).toBe(false);
	}, 30_000);
});
