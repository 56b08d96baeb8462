// The lean COPY-out reader (src/lib/server/copy-out.ts) against pg-copy-streams' own `to()`, on a
// real Postgres: the same bytes and row count for text, CSV and binary COPYs whose messages are
// cut anywhere by the socket's reads, notices in the middle of the data, and an error half-way that
// fails the stream and leaves the connection usable.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '#db';
import { copyOut, copyOutInto } from '#shared/server/copy-out.ts';

const pool: pg.Pool = createPool(process.env.DATABASE_URL, 2);
afterAll(() => pool.end());

async function drain(make: (text: string) => NodeJS.ReadableStream & { rowCount: number }, text: string, client: pg.PoolClient) {
	const stream = client.query(make(text) as unknown as pg.Submittable) as unknown as NodeJS.ReadableStream & { rowCount: number };
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return { bytes: Buffer.concat(parts), rows: stream.rowCount };
}

async function both(text: string) {
	const client = await pool.connect();
	try {
		const ours = await drain((t) => copyOut(t, { highWaterMark: 1024 }), text, client);
		const theirs = await drain((t) => copyTo(t), text, client);
		// The connection is in step afterwards: a plain query answers.
		expect((await client.query('SELECT 41 + 1 AS n')).rows[0].n).toBe(42);
		return { ours, theirs };
	} finally {
		client.release();
	}
}

describe('copyOut', () => {
	it('gives the bytes and row count pg-copy-streams gives, in text, csv and binary', async () => {
		const rows = `SELECT g, repeat(chr(65 + g % 26), g % 300), 'a,"b"' || g, NULLIF(g % 7, 0) FROM generate_series(1, 60000) g`;
		for (const format of ['text', 'csv', 'binary']) {
			const { ours, theirs } = await both(`COPY (${rows}) TO STDOUT WITH (FORMAT ${format})`);
			expect(ours.rows, format).toBe(60000);
			expect(theirs.rows, format).toBe(60000);
			expect(ours.bytes.length, format).toBeGreaterThan(5_000_000);
			expect(ours.bytes.equals(theirs.bytes), format).toBe(true);
		}
	});

	it('counts rows as they arrive, a quoted newline inside a row included, for progress', async () => {
		const client = await pool.connect();
		try {
			// Every third memo holds a line break: CSV quotes it, and the row is still one row. ~6 MB:
			// Node reads a socket 64 KiB at a time at most, so the rows come in many reads.
			const stream = copyOut(
				`COPY (SELECT g, CASE WHEN g % 3 = 0 THEN E'line one\\nline two' ELSE 'plain' END, repeat('x', 200) FROM generate_series(1, 30000) g) TO STDOUT WITH (FORMAT csv)`,
				{ highWaterMark: 1024 }
			);
			client.query(stream);
			const seen: number[] = [];
			let newlines = 0;
			for await (const part of stream) {
				seen.push(stream.rowsSoFar);
				for (const b of part as Buffer) if (b === 10) newlines++;
			}
			expect(newlines).toBe(40000);
			expect(stream.rowsSoFar).toBe(30000);
			expect(stream.rowCount).toBe(30000);
			// A running count: it rose through the reads, never backwards, and ended at the total.
			expect(seen.length).toBeGreaterThan(10);
			expect(seen[0]).toBeLessThan(30000);
			expect(seen.every((n, i) => i === 0 || n >= seen[i - 1])).toBe(true);
			expect(seen.at(-1)).toBe(30000);
		} finally {
			client.release();
		}
	});

	it('skips notices sent in the middle of the rows', async () => {
		const client = await pool.connect();
		try {
			await client.query(`CREATE OR REPLACE FUNCTION pg_temp.noisy(i int) RETURNS int AS $$
				BEGIN IF i % 500 = 0 THEN RAISE NOTICE 'row %', i; END IF; RETURN i; END $$ LANGUAGE plpgsql`);
			const notices: string[] = [];
			client.on('notice', (n) => notices.push(n.message ?? ''));
			const { bytes, rows } = await drain((t) => copyOut(t), `COPY (SELECT pg_temp.noisy(g) FROM generate_series(1, 20000) g) TO STDOUT`, client);
			expect(rows).toBe(20000);
			const expected = Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('');
			expect(bytes.toString()).toBe(expected);
			expect((await client.query('SELECT 1 AS n')).rows[0].n).toBe(1);
		} finally {
			client.release();
		}
	});

	it('fails with the server’s error when the COPY breaks off half-way, and the connection goes on', async () => {
		const client = await pool.connect();
		try {
			const stream = client.query(copyOut(`COPY (SELECT 100000 / (g - 40000) FROM generate_series(1, 50000) g) TO STDOUT`));
			let bytes = 0;
			const read = (async () => {
				for await (const part of stream) bytes += (part as Buffer).length;
			})();
			await expect(read).rejects.toThrow(/division by zero/);
			// Rows before the failing one came through first.
			expect(bytes).toBeGreaterThan(0);
			expect((await client.query('SELECT 7 AS n')).rows[0].n).toBe(7);
		} finally {
			client.release();
		}
	});

	it('hands a sink the same bytes as the stream, as ranges of the reads, and ends with the row count', async () => {
		const text = `COPY (SELECT g, repeat(chr(65 + g % 26), g % 300), NULLIF(g % 7, 0) FROM generate_series(1, 40000) g) TO STDOUT WITH (FORMAT binary)`;
		const client = await pool.connect();
		try {
			const theirs = await drain((t) => copyTo(t), text, client);
			const parts: Buffer[] = [];
			let calls = 0;
			// The range is valid only during the call: keep a copy, as a sink must.
			const rows = await copyOutInto(client, text, (buf, start, end) => {
				calls++;
				parts.push(Buffer.from(buf.subarray(start, end)));
			});
			expect(rows).toBe(40000);
			expect(calls).toBeGreaterThan(1);
			expect(Buffer.concat(parts).equals(theirs.bytes)).toBe(true);
			expect((await client.query('SELECT 3 AS n')).rows[0].n).toBe(3);
		} finally {
			client.release();
		}
	});

	it('fails the COPY, not the process, when the sink refuses bytes', async () => {
		const client = await pool.connect();
		let failure: Error | undefined;
		try {
			let taken = 0;
			await expect(
				copyOutInto(client, `COPY (SELECT repeat('x', 1000) FROM generate_series(1, 20000)) TO STDOUT`, (_b, start, end) => {
					taken += end - start;
					if (taken > 100_000) throw new Error('no room for these bytes');
				})
			).rejects.toThrow(/no room for these bytes/);
		} catch (err) {
			failure = err as Error;
			throw err;
		} finally {
			// Cut off mid-COPY, the connection is discarded, as readWindow does.
			client.release(failure ?? new Error('cut off mid-COPY'));
		}
		// The pool goes on with a fresh connection.
		expect((await pool.query('SELECT 5 AS n')).rows[0].n).toBe(5);
	});
});
