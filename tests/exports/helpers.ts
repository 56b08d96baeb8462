// Shared by the export and statement tests: reading the files back as a person would.
import { expect } from 'vitest';
import { getDb } from '../../db/index.ts';
import { buildExport } from '../../src/lib/server/exports/build.ts';
import type { createCaller } from '../../src/lib/server/api/root.ts';
import { readFileBytes } from '../../src/lib/server/files/index.ts';

type Caller = ReturnType<typeof createCaller>;

/** RFC 4180 reader (quotes, doubled quotes, CR/LF inside quotes); the product never parses CSV. */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
			else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') row.push(cell), (cell = '');
		else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
		else if (ch !== '\r') cell += ch;
	}
	if (cell !== '' || row.length) row.push(cell), rows.push(row);
	return rows;
}

/** What a cell a spreadsheet would run as a formula looks like once neutralised. */
export const neutral = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/**
 * An identifier's CSV cell: Excel/WPS would read an all-digit value of 12+ digits (or with a
 * leading 0) as a number and lose digits, so it carries a leading backtick; others as `neutral`.
 */
export const csvId = (s: string) => (/^\d+$/.test(s) && s.length > 1 && (s.length >= 12 || s[0] === '0') ? `\`${s}` : neutral(s));

/** Requests an export as `c` and builds it at once (no worker): the row and the file's bytes. */
export async function exportAndBuild(c: Caller, input: Parameters<Caller['exports']['create']>[0]) {
	const db = getDb();
	const { id } = await c.exports.create(input);
	const r = await buildExport(db, id, { owner: 'test', finalAttempt: true });
	expect(r.outcome).toBe('built');
	const row = await db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
	return { id, row, bytes: await readFileBytes(row.file_id!) };
}
