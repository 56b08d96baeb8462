import { sql, type Kysely } from 'kysely';

// Frozen. File chunks written from now on are small enough to live in the table's own pages
// (STORAGE PLAIN, 8,000 bytes a chunk) instead of 1 MiB values TOASTed out of line; each file
// records the chunk size it was written with, so files already stored (1 MiB chunks) read as before.
//
// Why: Postgres writes a TOASTed value without COPY's bulk-write ring, so a 200 MB export filled
// shared_buffers with dirty TOAST pages, and the web's list queries, finding no clean buffer,
// flushed WAL and wrote pages themselves (IO:WALSync, IO:DataFileWrite waits; people-mode list
// p95 0.11–0.19 s while exports were building). Inline rows go in through COPY's multi-insert with
// its 16 MB ring: the building backend recycles its own buffers. Storing also costs the backend
// about half the CPU (no TOAST chunking or TOAST index): 200 MB written in 1.8–2.2 s against
// 4.4–4.8 s through TOAST, measured here under the same load.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`ALTER TABLE files ADD COLUMN chunk_size integer NOT NULL DEFAULT 1048576 CHECK (chunk_size > 0)`.execute(db);
	// New files always say their chunk size (files/write.ts); the default was for those already stored.
	await sql`ALTER TABLE files ALTER COLUMN chunk_size DROP DEFAULT`.execute(db);
	await sql`ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE PLAIN`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	// Code before this migration reads every file as 1 MiB chunks: it would misread the newer ones.
	const newer = await sql<{ n: bigint }>`SELECT count(*) AS n FROM files WHERE chunk_size <> 1048576`.execute(db);
	if (Number(newer.rows[0].n) > 0) throw new Error(`${newer.rows[0].n} files are stored in small chunks: delete them (or let them expire) before migrating down`);
	await sql`ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL`.execute(db);
	await sql`ALTER TABLE files DROP COLUMN chunk_size`.execute(db);
}
