// Redis is required (BullMQ); the demo checks it up front and, with no redis-server to start, says how to get one.
import { Redis } from 'ioredis';

export async function redisAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
	const redis = new Redis(url, {
		lazyConnect: true,
		connectTimeout: timeoutMs,
		maxRetriesPerRequest: 0,
		enableOfflineQueue: false,
		retryStrategy: () => null
	});
	redis.on('error', () => {});
	try {
		await redis.connect();
		return (await redis.ping()) === 'PONG';
	} catch {
		return false;
	} finally {
		redis.disconnect();
	}
}

export const REDIS_HELP = [
	'Redis is required (BullMQ job queues). Start one, then run the demo again:',
	'  Debian/Ubuntu:  sudo apt-get install -y redis-server && redis-server --daemonize yes',
	'  macOS:          brew install redis && brew services start redis',
	'  Docker:         docker run -d -p 6379:6379 redis:7',
	'Or point REDIS_URL at an existing Redis (e.g. REDIS_URL=redis://host:6379).'
].join('\n');
