// executePrepared: a query runs as one named statement per text on each connection, answers
// with the values of each call, and runs unnamed inside a transaction.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '#db';
import { executePrepared } from '#shared/server/prepared.ts';

// One connection, so the statements this test prepares are the ones pg_prepared_statements shows.
const db = createDb(undefined, 1);
afterAll(() => db.destroy());

const prepared = () => sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements ORDER BY name`.execute(db).then((r) => r.rows);
const square = (n: number) => sql<{ n: number }>`SELECT (${n}::int * ${n}::int) AS n`;

describe('executePrepared', () => {
	it('prepares a text once and answers each call with its own values', async () => {
		expect(await executePrepared(db, square(3))).toEqual([{ n: 9 }]);
		expect(await executePrepared(db, square(4))).toEqual([{ n: 16 }]);
		const mine = (await prepared()).filter((p) => p.statement.includes('::int *'));
		expect(mine).toHaveLength(1);
		expect(mine[0].name).toMatch(/^q[\w-]+$/);
		// Another text is another statement.
		await executePrepared(db, sql<{ n: number }>`SELECT (${2}::int + ${2}::int) AS n`);
		expect((await prepared()).filter((p) => p.statement.includes('::int')).length).toBe(2);
	});

	it('takes a query builder too', async () => {
		const q = (n: number) => db.selectNoFrom(sql<number>`${n}::int`.as('n'));
		expect(await executePrepared(db, q(7))).toEqual([{ n: 7 }]);
		expect(await executePrepared(db, q(8))).toEqual([{ n: 8 }]);
	});

	it('still answers after a migration changed what a prepared statement returns', async () => {
		await sql`CREATE TEMP TABLE prepared_probe (a int)`.execute(db);
		await sql`INSERT INTO prepared_probe VALUES (1)`.execute(db);
		const q = () => db.selectFrom('prepared_probe' as never).selectAll();
		expect(await executePrepared(db, q())).toEqual([{ a: 1 }]);
		await sql`ALTER TABLE prepared_probe ADD COLUMN b int DEFAULT 2`.execute(db);
		expect(await executePrepared(db, q())).toEqual([{ a: 1, b: 2 }]);
		expect(await executePrepared(db, q())).toEqual([{ a: 1, b: 2 }]);
	});

	it('runs unnamed inside a transaction', async () => {
		const before = (await prepared()).length;
		const rows = await db.transaction().execute((trx) => executePrepared(trx, sql<{ n: number }>`SELECT (${5}::int - ${1}::int) AS n`));
		expect(rows).toEqual([{ n: 4 }]);
		expect((await prepared()).length).toBe(before);
	});
});
