// Migrates one template database per run; every test file copies it (tests/setup/per-file.ts).
// The name is unique per run so two runs on one machine never fight over it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '#db';
import { migrateToLatest } from '#db/migrate.ts';
import { adminUrl, withDatabase } from './urls.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		templateDb: string;
	}
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const template = `mb_test_t_${process.pid}_${randomBytes(3).toString('hex')}`;
	const admin = new pg.Client({ connectionString: adminUrl() });
	await admin.connect();
	// Leftovers of runs that crashed more than a few hours ago.
	const stale = await admin.query(
		`SELECT d.datname FROM pg_database d WHERE d.datname ~ '^mb_test_[tf]_'
		   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
		   AND (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification < now() - interval '3 hours'`
	).catch(() => ({ rows: [] as { datname: string }[] }));
	for (const r of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}"`).catch(() => {});
	await admin.query(`CREATE DATABASE ${template}`);
	await admin.end();
	const db = createDb(withDatabase(template), 2);
	await migrateToLatest(db);
	await db.destroy();
	project.provide('templateDb', template);
	return async () => {
		const c = new pg.Client({ connectionString: adminUrl() });
		await c.connect();
		await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
		await c.end();
	};
}
