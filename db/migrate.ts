import pg from 'pg';
import { Migrator, type Kysely } from 'kysely';
import { databaseUrl } from './index.ts';
import { migrations } from './migrations/index.ts';

/** Creates the database named in the URL when it is missing (the server must be reachable). */
export async function ensureDatabase(url = databaseUrl()): Promise<void> {
	const u = new URL(url);
	const name = decodeURIComponent(u.pathname.slice(1));
	u.pathname = '/postgres';
	const client = new pg.Client({ connectionString: u.toString() });
	await client.connect();
	try {
		const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
		if (r.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
	} finally {
		await client.end();
	}
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
	const migrator = new Migrator({
		db,
		provider: { getMigrations: async () => migrations },
		migrationTableName: 'kysely_migration'
	});
	const { error, results } = await migrator.migrateToLatest();
	for (const r of results ?? []) {
		if (r.status === 'Error') console.error(`migration ${r.migrationName} failed`);
		else if (r.status === 'Success') console.log(`migrated ${r.migrationName}`);
	}
	if (error) throw error;
}
