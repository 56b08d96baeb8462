// `npm run migrate`: creates the database named in DATABASE_URL when it is missing, then applies
// every migration not applied yet. Its own entry (db/migrate.ts is imported by the seed and the
// demo, which must not migrate twice on loading it).
import { createDb } from './index.ts';
import { ensureDatabase, migrateToLatest } from './migrate.ts';

await ensureDatabase();
const db = createDb();
try {
	await migrateToLatest(db);
} finally {
	await db.destroy();
}
