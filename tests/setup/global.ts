// Migrates one template database per run; every test file copies it (tests/setup/per-file.ts).
import pg from 'pg';
import { createDb } from '../../db/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { adminUrl, TEMPLATE_DB, withDatabase } from './urls.ts';

export default async function setup(): Promise<() => Promise<void>> {
	const admin = new pg.Client({ connectionString: adminUrl() });
	await admin.connect();
	await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
	await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
	await admin.end();
	const db = createDb(withDatabase(TEMPLATE_DB), 2);
	await migrateToLatest(db);
	await db.destroy();
	return async () => {
		const c = new pg.Client({ connectionString: adminUrl() });
		await c.connect();
		// Drop what files of this run left behind (a crashed file cannot clean up itself).
		const left = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'mb_test_f_%'`);
		for (const r of left.rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
		await c.end();
	};
}
