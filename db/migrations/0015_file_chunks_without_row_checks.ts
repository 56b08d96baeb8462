import { sql, type Kysely } from 'kysely';

// Frozen. file_chunks keeps its link to files without a foreign key: a foreign key checks each
// inserted row on its own (one `SELECT … FOR KEY SHARE` on files per chunk, queued by the
// chunks' COPY and run when it ends), 9,200 checks for a 73 MB export that took ~300 ms after the
// last byte had arrived, 8–10 % of the whole build, measured here. What the key gave stays:
// - no chunk without its file: the writer's COPY runs in a transaction that first locks its
//   files row FOR KEY SHARE (files/write.ts), once per file; the row must exist and cannot be
//   deleted until the chunks are in;
// - deleting a file deletes its chunks: a row trigger on files (by the primary key's prefix).
export async function up(db: Kysely<any>): Promise<void> {
	await sql`ALTER TABLE file_chunks DROP CONSTRAINT file_chunks_file_id_fkey`.execute(db);
	await sql`
		CREATE FUNCTION delete_file_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			DELETE FROM file_chunks WHERE file_id = OLD.id;
			RETURN NULL;
		END $$`.execute(db);
	await sql`CREATE TRIGGER files_delete_chunks AFTER DELETE ON files FOR EACH ROW EXECUTE FUNCTION delete_file_chunks()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`DROP TRIGGER files_delete_chunks ON files`.execute(db);
	await sql`DROP FUNCTION delete_file_chunks()`.execute(db);
	await sql`DELETE FROM file_chunks c WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.id = c.file_id)`.execute(db);
	await sql`ALTER TABLE file_chunks ADD CONSTRAINT file_chunks_file_id_fkey FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE CASCADE`.execute(db);
}
