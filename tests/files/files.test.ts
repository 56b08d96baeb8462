import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import {
	CHUNK_SIZE,
	closeFilePool,
	CopyBinaryFields,
	deleteAbandonedFiles,
	findFile,
	getDownloadPool,
	getFilePool,
	openFileReader,
	openFileWriter,
	readFileBytes
} from '#shared/server/files/index.ts';
import { contentDisposition, fileResponse, parseRange } from '#shared/server/files/http.ts';
import { makeMerchant } from '../fixtures/merchant.ts';

const db = getDb();
afterAll(closeFilePool);
const MiB = 1024 * 1024;

/** Writes `content` in uneven pieces, the way a CSV or zip stream produces it. */
async function store(merchantId: bigint, content: Buffer, name = '对账单_测试.csv') {
	const writer = await openFileWriter(db, { merchantId, name, contentType: 'text/csv; charset=utf-8' });
	const pieces: Buffer[] = [];
	for (let at = 0; at < content.length; ) {
		const n = 1 + ((at * 7919) % 300_000);
		pieces.push(content.subarray(at, at + n));
		at += n;
	}
	await pipeline(Readable.from(pieces), writer.stream);
	return { writer, stored: await writer.finish(db) };
}

describe('file storage', () => {
	it('stores a stream in chunks of the stated size and reads it back byte for byte', async () => {
		const m = await makeMerchant(db);
		const content = randomBytes(2 * CHUNK_SIZE + 1_234);
		const { stored } = await store(m.id, content);
		expect(stored.size).toBe(BigInt(content.length));
		expect(stored.sha256).toBe(createHash('sha256').update(content).digest('hex'));

		const chunks = await db.selectFrom('file_chunks').select(['seq', 'data']).where('file_id', '=', stored.fileId).orderBy('seq').execute();
		expect(chunks.map((c) => c.seq)).toEqual([0, 1, 2]);
		expect(chunks.map((c) => c.data.length)).toEqual([CHUNK_SIZE, CHUNK_SIZE, 1_234]);
		expect((await db.selectFrom('files').select('chunk_size').where('id', '=', stored.fileId).executeTakeFirstOrThrow()).chunk_size).toBe(CHUNK_SIZE);

		expect((await readFileBytes(stored.fileId)).equals(content)).toBe(true);
	});

	it('reads byte ranges inside a chunk, across chunk boundaries and at the end', async () => {
		const m = await makeMerchant(db);
		const content = randomBytes(3 * CHUNK_SIZE + 99);
		const { stored } = await store(m.id, content);
		const cases: [number, number][] = [
			[0, 0],
			[10, 1000],
			[CHUNK_SIZE - 5, CHUNK_SIZE + 5],
			[CHUNK_SIZE, 2 * CHUNK_SIZE - 1],
			[100, 3 * CHUNK_SIZE + 50],
			[content.length - 1, content.length - 1],
			[3 * CHUNK_SIZE, content.length - 1]
		];
		for (const [start, end] of cases) {
			const got = await readFileBytes(stored.fileId, { start, end });
			expect(got.equals(content.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
		}
	});

	it('reads a file by the chunk size it was written with (files stored before 0014 have 1 MiB chunks)', async () => {
		const m = await makeMerchant(db);
		// Written by hand the way an older writer did: another chunk size, recorded on the file.
		const size = 3_000;
		const content = randomBytes(5 * size + 77);
		const file = await db
			.insertInto('files')
			.values({ merchant_id: m.id, name: 'old.csv', content_type: 'text/csv', chunk_size: size, size: BigInt(content.length), complete: true })
			.returning('id')
			.executeTakeFirstOrThrow();
		for (let seq = 0; seq * size < content.length; seq++)
			await db.insertInto('file_chunks').values({ file_id: file.id, seq, data: content.subarray(seq * size, (seq + 1) * size) }).execute();
		expect((await readFileBytes(file.id)).equals(content)).toBe(true);
		for (const [start, end] of [
			[size - 1, size],
			[2 * size + 5, 5 * size + 3],
			[5 * size, content.length - 1]
		] as const)
			expect((await readFileBytes(file.id, { start, end })).equals(content.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
		const info = (await findFile(db, m.id, file.id))!;
		expect(info.chunkSize).toBe(size);
		const res = await fileResponse(info, new Request('http://x/f', { headers: { range: `bytes=${size - 2}-${3 * size + 1}` } }));
		expect(Buffer.from(await res.arrayBuffer()).equals(content.subarray(size - 2, 3 * size + 2))).toBe(true);
	});

	it('reads ranges over several windows of chunks (several queries, each window read ahead) byte for byte', async () => {
		const m = await makeMerchant(db);
		// ~9.5 MiB: a first window of 1 MiB, windows of 4 MiB, the last one short and its last chunk short.
		const content = randomBytes(9 * MiB + 12_345);
		const { stored } = await store(m.id, content);
		expect((await readFileBytes(stored.fileId)).equals(content)).toBe(true);
		const cases: [number, number][] = [
			[0, 4 * MiB - 1],
			[MiB - 3, MiB + 2],
			[5 * MiB - 3, 5 * MiB + 2],
			[3 * MiB + 17, 8 * MiB + 5],
			[CHUNK_SIZE + 1, content.length - 1],
			[8 * MiB, content.length - 2]
		];
		for (const [start, end] of cases) {
			const got = await readFileBytes(stored.fileId, { start, end });
			expect(got.equals(content.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
		}
	});

	it('holds no connection for a reader that stops taking windows: more stalled readers than the pool has connections all get their windows', async () => {
		const m = await makeMerchant(db);
		// A first window and a second, read ahead, and more after them.
		const content = randomBytes(6 * MiB);
		const { stored } = await store(m.id, content);
		const max = getDownloadPool().options.max;
		// Each reader takes two windows (the second was read ahead) and then none: twice as many
		// readers as connections would wait for ever if a stalled reader kept one.
		const readers = [];
		for (let i = 0; i < 2 * max; i++) {
			const reader = await openFileReader({ id: stored.fileId, chunkSize: CHUNK_SIZE });
			const first = (await reader.next())!;
			const second = (await reader.next())!;
			expect(first.equals(content.subarray(0, first.length))).toBe(true);
			expect(second.equals(content.subarray(first.length, first.length + second.length))).toBe(true);
			readers.push(reader);
		}
		expect((await readFileBytes(stored.fileId, { start: 5, end: 9 })).equals(content.subarray(5, 10))).toBe(true);
		for (const r of readers) r.close();
	});

	it('reads windows on sessions that keep the index-order plan (no sort, no seq or bitmap scan), unlike the builds\' pool', async () => {
		const settings = async (pool: ReturnType<typeof getFilePool>) => {
			const r = await pool.query<{ s: string; b: string; o: string }>(
				"SELECT current_setting('enable_seqscan') AS s, current_setting('enable_bitmapscan') AS b, current_setting('enable_sort') AS o"
			);
			return r.rows[0];
		};
		expect(await settings(getDownloadPool())).toEqual({ s: 'off', b: 'off', o: 'off' });
		// The builds' COPYs sort and scan as the planner likes.
		expect(await settings(getFilePool())).toEqual({ s: 'on', b: 'on', o: 'on' });
	});

	it('hides a file until it is finished, and from other merchants', async () => {
		const m = await makeMerchant(db);
		const other = await makeMerchant(db);
		const writer = await openFileWriter(db, { merchantId: m.id, name: 'x.csv', contentType: 'text/csv' });
		writer.stream.write(Buffer.from('half'));
		expect(await findFile(db, m.id, writer.fileId)).toBeUndefined();
		await writer.finish(db);
		expect((await findFile(db, m.id, writer.fileId))?.size).toBe(4n);
		expect(await findFile(db, other.id, writer.fileId)).toBeUndefined();
	});

	it('an aborted or abandoned file leaves no chunks behind', async () => {
		const m = await makeMerchant(db);
		const writer = await openFileWriter(db, { merchantId: m.id, name: 'x.csv', contentType: 'text/csv' });
		writer.stream.write(randomBytes(CHUNK_SIZE + 1));
		await new Promise((r) => setTimeout(r, 100));
		await writer.abort();
		expect(await db.selectFrom('file_chunks').select('seq').where('file_id', '=', writer.fileId).execute()).toEqual([]);

		const stale = await openFileWriter(db, { merchantId: m.id, name: 'y.csv', contentType: 'text/csv' });
		await db.updateTable('files').set({ created_at: new Date(Date.now() - 7 * 3600_000) }).where('id', '=', stale.fileId).execute();
		expect(await deleteAbandonedFiles(db)).toBeGreaterThanOrEqual(1);
		expect(await db.selectFrom('files').select('id').where('id', '=', stale.fileId).execute()).toEqual([]);
	});

	it('keeps chunks tied to their file: a deleted file takes its chunks, a gone file refuses them, a delete waits for a write under way', async () => {
		const m = await makeMerchant(db);
		const chunksOf = async (fileId: bigint) => (await db.selectFrom('file_chunks').select('seq').where('file_id', '=', fileId).execute()).length;

		// Deleting a file deletes its chunks.
		const { stored } = await store(m.id, randomBytes(3 * CHUNK_SIZE));
		expect(await chunksOf(stored.fileId)).toBe(3);
		await db.deleteFrom('files').where('id', '=', stored.fileId).execute();
		expect(await chunksOf(stored.fileId)).toBe(0);

		// A file deleted before its first chunk is stored: the write fails and stores nothing.
		const gone = await openFileWriter(db, { merchantId: m.id, name: 'gone.csv', contentType: 'text/csv' });
		await db.deleteFrom('files').where('id', '=', gone.fileId).execute();
		gone.stream.write(randomBytes(2 * CHUNK_SIZE));
		await expect(gone.finish(db)).rejects.toThrow(/is gone/);
		expect(await chunksOf(gone.fileId)).toBe(0);

		// A delete while the chunks are being written waits for them, then takes them all.
		const busy = await openFileWriter(db, { merchantId: m.id, name: 'busy.csv', contentType: 'text/csv' });
		const content = randomBytes(3 * MiB);
		const written = new Promise<void>((resolve, reject) => busy.stream.write(content, (err) => (err ? reject(err) : resolve())));
		await written;
		const deleting = db.deleteFrom('files').where('id', '=', busy.fileId).execute();
		const until = Date.now() + 10_000;
		for (let waiting = false; !waiting; ) {
			if (Date.now() > until) throw new Error('the delete did not wait for the chunks being written');
			const r = await db
				.selectFrom('pg_stat_activity' as never)
				.select(db.fn.countAll<string>().as('n'))
				.where('wait_event_type' as never, '=', 'Lock' as never)
				.where('query' as never, 'ilike', 'delete from "files"%' as never)
				.executeTakeFirstOrThrow();
			waiting = Number(r.n) === 1;
		}
		busy.stream.end();
		await new Promise((resolve, reject) => busy.stream.once('finish', resolve).once('error', reject));
		await deleting;
		expect(await chunksOf(busy.fileId)).toBe(0);
		expect(await db.selectFrom('files').select('id').where('id', '=', busy.fileId).execute()).toEqual([]);
	});

	it('parses binary COPY framing split at any byte', async () => {
		const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
		const tuple = (b: Buffer) => {
			const h = Buffer.alloc(6);
			h.writeInt16BE(1, 0);
			h.writeInt32BE(b.length, 2);
			return Buffer.concat([h, b]);
		};
		const trailer = Buffer.from([0xff, 0xff]);
		const a = Buffer.from('hello '), b = Buffer.from('world');
		const framed = Buffer.concat([header, tuple(a), tuple(b), trailer]);
		for (let split = 1; split < framed.length; split++) {
			const parser = new CopyBinaryFields(2, 7);
			const out: Buffer[] = [];
			parser.write(framed.subarray(0, split), (b, s, e) => out.push(b.subarray(s, e)));
			parser.write(framed.subarray(split), (b, s, e) => out.push(b.subarray(s, e)));
			parser.end();
			expect(Buffer.concat(out).toString()).toBe('llo wor');
		}
		// Cut anywhere, between tuples too, the stream is truncated.
		for (let cut = 1; cut < framed.length; cut++) {
			const parser = new CopyBinaryFields();
			parser.write(framed.subarray(0, cut), () => {});
			expect(() => parser.end(), `cut at ${cut}`).toThrow(/truncated/);
		}
	});
});

describe('file HTTP response', () => {
	it('parses Range headers', () => {
		expect(parseRange(null, 100)).toBeNull();
		expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
		expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
		expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
		expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
		expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
		expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
		expect(parseRange('items=0-1', 100)).toBeNull();
	});

	it('names the file in UTF-8 with an ASCII fallback', () => {
		const h = contentDisposition('对账单_2018062800003003_2026-11-24.csv');
		expect(h).toBe(
			`attachment; filename="____2018062800003003_2026-11-24.csv"; filename*=UTF-8''%E5%AF%B9%E8%B4%A6%E5%8D%95_2018062800003003_2026-11-24.csv`
		);
	});

	it('answers whole, partial and unsatisfiable requests', async () => {
		const m = await makeMerchant(db);
		const content = randomBytes(CHUNK_SIZE + 10);
		const { stored } = await store(m.id, content, '对账单_x.csv');
		const file = (await findFile(db, m.id, stored.fileId))!;

		const whole = await fileResponse(file, new Request('http://x/f'));
		expect(whole.status).toBe(200);
		expect(whole.headers.get('content-length')).toBe(String(content.length));
		expect(whole.headers.get('accept-ranges')).toBe('bytes');
		expect(whole.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(whole.headers.get('etag')).toBe(`"${stored.sha256}"`);
		expect(Buffer.from(await whole.arrayBuffer()).equals(content)).toBe(true);

		const part = await fileResponse(file, new Request('http://x/f', { headers: { range: `bytes=${CHUNK_SIZE - 2}-${CHUNK_SIZE + 1}` } }));
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe(`bytes ${CHUNK_SIZE - 2}-${CHUNK_SIZE + 1}/${content.length}`);
		expect(part.headers.get('content-length')).toBe('4');
		expect(Buffer.from(await part.arrayBuffer()).equals(content.subarray(CHUNK_SIZE - 2, CHUNK_SIZE + 2))).toBe(true);

		const bad = await fileResponse(file, new Request('http://x/f', { headers: { range: `bytes=${content.length}-` } }));
		expect(bad.status).toBe(416);
		expect(bad.headers.get('content-range')).toBe(`bytes */${content.length}`);
	});

	it('releases the database connection when a download is abandoned', async () => {
		const m = await makeMerchant(db);
		const { stored } = await store(m.id, randomBytes(6 * MiB));
		const file = (await findFile(db, m.id, stored.fileId))!;
		for (let i = 0; i < 8; i++) {
			const res = await fileResponse(file, new Request('http://x/f'));
			const reader = res.body!.getReader();
			await reader.read();
			await reader.cancel();
		}
		// All 4 pool clients would be stuck if a cancelled download kept its connection.
		expect((await readFileBytes(stored.fileId, { start: 0, end: 3 })).length).toBe(4);
	});
});
