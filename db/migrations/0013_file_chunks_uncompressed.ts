import { sql, type Kysely } from 'kysely';

// Frozen. File chunks stored uncompressed again (undoes 0012's lz4 for chunks written from now on).
//
// Measured on the 5M-order merchant, a 75 MB CSV downloaded over HTTP with curl, interleaved:
// lz4 chunks 497–719 MB/s, uncompressed 684–865 MB/s. Postgres decompresses on the one backend
// that streams the download, so it sits on the download's critical path; storing the chunks cost
// about the same either way (binary COPY FROM: ~2.7 against ~2.9 ms of backend CPU a MiB).
// Chunks already written with lz4 keep it until their files expire.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL, ALTER COLUMN data SET COMPRESSION default;`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DO $$
BEGIN
  ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTENDED, ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL;
END $$;
`.execute(db);
}
