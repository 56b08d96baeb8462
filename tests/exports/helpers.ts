// Shared by the export tests (and the abuse suites): an export requested and built at once.
// Reading CSV back and the cell rules are tests/fixtures/csv.ts.
import { expect } from 'vitest';
import { getDb } from '#db';
import { buildExport } from '#shared/server/exports/build.ts';
import type { createCaller } from '#shared/server/api/root.ts';
import { readFileBytes } from '#shared/server/files/index.ts';

type Caller = ReturnType<typeof createCaller>;

/** Requests an export as `c` and builds it at once (no worker): the row and the file's bytes. */
export async function exportAndBuild(c: Caller, input: Parameters<Caller['exports']['create']>[0]) {
	const db = getDb();
	const { id } = await c.exports.create(input);
	const r = await buildExport(db, id, { owner: 'test', finalAttempt: true });
	expect(r.outcome).toBe('built');
	const row = await db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
	return { id, row, bytes: await readFileBytes(row.file_id!) };
}
