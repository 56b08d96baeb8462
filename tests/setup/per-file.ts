// Gives every test file its own copy of the migrated template database, and its own
// Redis key prefix, before the file's imports run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { closeDb } from '#db';
import { closeFilePool } from '#shared/server/files/pool.ts';
import { logger } from '#shared/server/log.ts';
import { adminUrl, withDatabase } from './urls.ts';

const name = `mb_test_f_${process.pid}_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl() });
await admin.connect();
await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDb')}`);
await admin.end();

process.env.DATABASE_URL = withDatabase(name);
process.env.REDIS_PREFIX = `mbtest:${name}`;
// A configured keyring, as every deployment has: without one the product falls back to its public
// development key and says so on stderr (tests/keys/secrets.test.ts covers that fallback).
process.env.KEK_CURRENT ??= 'test';
process.env.KEKS ??= `test:${Buffer.alloc(32, 7).toString('base64')}`;
// Passing tests print nothing: the logger is silent here (tests read lines with captureLogs).
// Set on the logger, not in the environment, so processes a test starts log as they would in production.
logger.level = 'silent';

afterAll(async () => {
	await closeDb();
	await closeFilePool();
	const c = new pg.Client({ connectionString: adminUrl() });
	await c.connect();
	// pg's pool.end() resolves before its sockets have closed; give them a moment so the
	// forced drop does not cut connections that are already on their way out.
	for (let i = 0; i < 50; i++) {
		const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
		if (r.rows[0].n === 0) break;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	await c.end();
});
