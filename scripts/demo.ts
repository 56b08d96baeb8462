// `npm run demo`: everything needed to click through the product on one machine.
// Postgres (yours, the local one, or an embedded one) → Redis (yours, or a private
// redis-server) → migrate → seed if empty → vite build if stale → `node build` + the job
// worker, until Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '../db/index.ts';
import { ensureDatabase, migrateToLatest } from '../db/migrate.ts';
import { DEFAULT_REDIS_URL } from '../src/lib/server/queue/redis.ts';
import { chooseDatabase } from './lib/postgres.ts';
import { buildIfStale, isPortFree, prefixLines, waitForHttp } from './lib/processes.ts';
import { bundleArgs, bundleIfStale, webArgs } from './bundle.js';
import { privateRedisDir, redisServerOnPath, startPrivateRedis } from './lib/private-redis.ts';
import { REDIS_HELP, redisAnswers } from './lib/redis-check.ts';
import { seedIfEmpty } from './lib/seed.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_MERCHANT_NO = '2018062800003003';
const log = (line: string) => console.log(`[demo] ${line}`);

async function main(): Promise<number> {
	const host = process.env.HOST || '127.0.0.1';
	const port = Number(process.env.PORT || 3000);
	const origin = process.env.ORIGIN || `http://${host}:${port}`;
	let redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;

	if (!(await isPortFree(port, host))) {
		console.error(`[demo] ${host}:${port} is already in use. Stop what runs there, or pick another: PORT=3001 npm run demo`);
		return 1;
	}
	let privateRedis: { url: string; stop: () => Promise<void> } | null = null;
	if (!(await redisAnswers(redisUrl))) {
		if (!redisServerOnPath()) {
			console.error(`[demo] Redis does not answer at ${redisUrl}, and there is no redis-server on the PATH to start one.\n${REDIS_HELP}`);
			return 1;
		}
		log(`Redis does not answer at ${redisUrl}: starting a private one`);
		privateRedis = await startPrivateRedis(redisUrl, privateRedisDir(ROOT), log);
		redisUrl = privateRedis.url;
	}

	const database = await chooseDatabase(ROOT, { forceEmbedded: process.argv.includes('--embedded-pg'), log }).catch(async (err) => {
		await privateRedis?.stop();
		throw err;
	});
	let children: ChildProcess[] = [];
	let stopping = false;
	const shutdown = async (code: number) => {
		if (stopping) return;
		stopping = true;
		// Stopping an embedded Postgres under a running seed breaks its connections; we are leaving anyway.
		process.on('uncaughtException', (err) => log(`while stopping: ${err.message}`));
		for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
		await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
		await database.stop();
		await privateRedis?.stop();
		process.exit(code);
	};

	// From here on a signal stops the children and the embedded Postgres, whatever the stage.
	process.once('SIGINT', () => void shutdown(0));
	process.once('SIGTERM', () => void shutdown(0));

	try {
		log(`database: ${redact(database.url)} (${database.source})`);
		await ensureDatabase(database.url);
		const env = { ...process.env, DATABASE_URL: database.url, REDIS_URL: redisUrl };
		const prepareData = async () => {
			const db = createDb(database.url, 4);
			try {
				await migrateToLatest(db);
				await seedIfEmpty(db, {}, log);
			} finally {
				await db.destroy();
			}
		};
		// Side by side: the seed waits on Postgres most of the time, the build is CPU in its own process.
		await Promise.all([prepareData(), buildIfStale(ROOT, log)]);

		// DEMO_MODE shows the SMS outbox on the sign-in page, so 找回密码 works without a phone.
		const childEnv = { ...env, HOST: host, PORT: String(port), ORIGIN: origin, DEMO_MODE: process.env.DEMO_MODE ?? '1' };
		const web = spawn(process.execPath, webArgs(join(ROOT, 'build')), { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
		// The worker runs compiled (dist/worker.js): `npm run demo` has bundled it; a source edited since rebuilds it here.
		await bundleIfStale(['worker'], { root: ROOT, log });
		// In a session of its own (setsid), so its builds yield the CPU to the web (db/autogroup.ts);
		// Ctrl-C reaches it through shutdown() rather than the terminal.
		const worker = spawn(process.execPath, bundleArgs('worker', ROOT), {
			cwd: ROOT,
			env: childEnv,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true
		});
		children = [web, worker];
		for (const [child, tag] of [[web, '[web]   '], [worker, '[worker]']] as const) {
			prefixLines(child.stdout, tag, (l) => console.log(l));
			prefixLines(child.stderr, tag, (l) => console.error(l));
			child.once('exit', (code, signal) => {
				if (stopping) return;
				log(`${tag.trim()} exited (${signal ?? code}); stopping the demo`);
				void shutdown(code === 0 ? 0 : 1);
			});
		}

		await waitForHttp(`http://${host}:${port}/login`, { child: web, timeoutMs: 60_000 });
		console.log(
			[
				'',
				'  商户站 demo is running',
				`  URL:       ${origin}`,
				`  商户号:    ${DEMO_MERCHANT_NO}`,
				`  手机号:    ${process.env.DEMO_ADMIN_PHONE || '13800000000'}`,
				`  登录密码:  ${process.env.DEMO_ADMIN_PASSWORD || 'Demo@2018'}`,
				'  Ctrl-C stops the web server and the worker.',
				''
			].join('\n')
		);
		return await new Promise<number>(() => {}); // runs until a signal or a child exits
	} catch (err) {
		console.error('[demo] failed:', err instanceof Error ? err.message : err);
		await shutdown(1);
		return 1;
	}
}

function redact(url: string): string {
	const u = new URL(url);
	if (u.password) u.password = '***';
	return u.toString();
}

process.exitCode = await main();
