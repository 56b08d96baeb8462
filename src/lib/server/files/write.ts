// Writing a file: open (a `files` row with complete = false), stream bytes in (stored as
// 1 MiB chunks as they arrive, never the whole file in memory), then finish inside the
// owner's transaction so the file becomes complete exactly when its owner says READY.
// The chunks go in through one `COPY file_chunks FROM STDIN (FORMAT binary)` per file on a
// connection of the write pool, framed in batches of ~1 MiB (one socket write each; an INSERT
// per chunk cost the backend a statement and a commit each). The COPY is one transaction, so a
// build killed mid-way leaves no chunk behind, only its incomplete files row. That transaction
// first locks the files row (FOR KEY SHARE): the chunks' link to their file is kept this way,
// once per file, instead of by a foreign key checking every chunk (migration 0015). It commits
// without waiting for its WAL to reach disk: the chunks count only once the file is marked
// complete in the owner's transaction, whose synchronous commit flushes the WAL up to itself,
// the chunks' records included (a crash before that leaves an incomplete file, as mid-COPY).
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DB } from '#db';
import { CHUNK_SIZE } from './chunks.ts';
import { getFileWritePool } from './pool.ts';

export interface NewFile {
	merchantId: bigint;
	/** The name the browser saves it as (UTF-8, e.g. 对账单_2018062800003003_2026-11-24.csv). */
	name: string;
	contentType: string;
	expiresAt?: Date | null;
}

export interface StoredFile {
	fileId: bigint;
	size: bigint;
	sha256: string;
}

type Executor = Kysely<DB> | Transaction<DB>;

/** Binary COPY's header: signature, flags 0, no extension. */
const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** Binary COPY's trailer: a field count of -1. */
const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** One file_chunks tuple's framing up to its data: 3 fields, file_id int8, seq int4, then the data's length. */
const TUPLE_HEAD = 26;
/**
 * Framed bytes the chunks' COPY may hold before a write waits for it to drain. With the stream's
 * default (16 KB) every 1 MiB batch waited until the socket had taken it; over a Unix socket
 * (~200 KB of buffer, not TCP's autotuned megabytes) that meant the source was not read meanwhile,
 * and the export's row COPY stalled on its client (a 1M-row CSV export 20 % slower over the socket
 * than over 127.0.0.1). A few batches in flight ride out the writer's pauses.
 */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** Chunks framed into one buffer before it goes to the COPY: ~1 MiB a socket write. */
const BATCH_CHUNKS = Math.max(1, Math.floor((1024 * 1024) / (TUPLE_HEAD + CHUNK_SIZE)));

function writeTupleHead(into: Buffer, at: number, fileId: bigint, seq: number, length: number): void {
	into.writeInt16BE(3, at);
	into.writeInt32BE(8, at + 2);
	into.writeBigInt64BE(fileId, at + 6);
	into.writeInt32BE(4, at + 14);
	into.writeInt32BE(seq, at + 18);
	into.writeInt32BE(length, at + 22);
}

/** The COPY under way: its connection, its stream, and its failure (handled, surfaced on the next wait). */
interface ChunkCopy {
	client: pg.PoolClient;
	stream: Writable;
	failed: Promise<never>;
}

export class FileWriter {
	readonly fileId: bigint;
	/** Pipe the content here; its back-pressure holds the source while the chunks' COPY is behind. */
	readonly stream: Writable;
	private readonly hash: Hash = createHash('sha256');
	/** The batch being framed: whole tuples up to `batchAt`, the current chunk's data after its head. */
	private batch: Buffer = Buffer.allocUnsafe(BATCH_CHUNKS * (TUPLE_HEAD + CHUNK_SIZE));
	private batchAt = 0;
	/** Data bytes of the chunk being filled (its head is written when it is full or last). */
	private chunkFill = 0;
	private seq = 0;
	private bytes = 0;
	private copy: ChunkCopy | undefined;
	private readonly ended: Promise<void>;

	private constructor(
		private readonly db: Kysely<DB>,
		fileId: bigint
	) {
		this.fileId = fileId;
		this.stream = new Writable({
			highWaterMark: 1024 * 1024,
			write: (chunk: Buffer, _enc, cb) => {
				this.take(chunk).then(() => cb(), cb);
			},
			final: (cb) => {
				this.end().then(() => cb(), cb);
			}
		});
		this.ended = new Promise((resolve, reject) => {
			this.stream.once('finish', resolve);
			this.stream.once('error', reject);
		});
		// The error surfaces through `ended`; without a listener a failed COPY would crash the process.
		this.ended.catch(() => {});
	}

	static async open(db: Kysely<DB>, file: NewFile): Promise<FileWriter> {
		const row = await db
			.insertInto('files')
			.values({
				merchant_id: file.merchantId,
				name: file.name,
				content_type: file.contentType,
				chunk_size: CHUNK_SIZE,
				expires_at: file.expiresAt ?? null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return new FileWriter(db, row.id);
	}

	/** Bytes accepted so far. */
	get size(): number {
		return this.bytes;
	}

	private async take(chunk: Buffer): Promise<void> {
		this.hash.update(chunk);
		this.bytes += chunk.length;
		let from = 0;
		while (from < chunk.length) {
			const n = Math.min(CHUNK_SIZE - this.chunkFill, chunk.length - from);
			chunk.copy(this.batch, this.batchAt + TUPLE_HEAD + this.chunkFill, from, from + n);
			this.chunkFill += n;
			from += n;
			if (this.chunkFill === CHUNK_SIZE) {
				this.closeChunk();
				if (this.batchAt === this.batch.length) await this.send();
			}
		}
	}

	/** Writes the filled chunk's head: its tuple is whole. */
	private closeChunk(): void {
		writeTupleHead(this.batch, this.batchAt, this.fileId, this.seq++, this.chunkFill);
		this.batchAt += TUPLE_HEAD + this.chunkFill;
		this.chunkFill = 0;
	}

	/** Opens the chunks' COPY on the first chunk (an empty file needs none). */
	private async open(): Promise<ChunkCopy> {
		// The same database as `db` (the chunks reference its files row).
		const client = await getFileWritePool(this.db).connect();
		try {
			await client.query('BEGIN; SET LOCAL synchronous_commit = off');
			const file = await client.query('SELECT 1 FROM files WHERE id = $1 FOR KEY SHARE', [this.fileId.toString()]);
			if (file.rowCount !== 1) throw new Error(`file ${this.fileId} is gone: its chunks cannot be stored`);
			const stream = client.query(copyFrom('COPY file_chunks (file_id, seq, data) FROM STDIN (FORMAT binary)', { highWaterMark: IN_FLIGHT_BYTES }));
			// Handled for good: a connection lost later (or cut off by abort) must not crash the process.
			stream.on('error', () => {});
			const failed = new Promise<never>((_, reject) => stream.once('error', reject));
			failed.catch(() => {});
			stream.write(COPY_HEADER);
			return { client, stream, failed };
		} catch (err) {
			client.release(err as Error);
			throw err;
		}
	}

	/** The batch's whole tuples to the COPY (a fresh buffer for the next: the socket may still hold this one); waits while the socket is full. */
	private async send(): Promise<void> {
		if (this.batchAt === 0) return;
		this.copy ??= await this.open();
		const { stream, failed } = this.copy;
		const framed = this.batch.subarray(0, this.batchAt);
		this.batch = Buffer.allocUnsafe(this.batch.length);
		this.batchAt = 0;
		if (!stream.write(framed)) await Promise.race([once(stream, 'drain'), failed]);
	}

	/** The last (short) chunk, then the end of the COPY: its rows are in once this resolves. */
	private async end(): Promise<void> {
		if (this.chunkFill > 0) this.closeChunk();
		await this.send();
		const copy = this.copy;
		if (!copy) return;
		copy.stream.end(COPY_TRAILER);
		try {
			await Promise.race([once(copy.stream, 'finish'), copy.failed]);
			await copy.client.query('COMMIT');
		} catch (err) {
			this.copy = undefined;
			copy.client.release(err as Error);
			throw err;
		}
		this.copy = undefined;
		copy.client.release();
	}

	/**
	 * Marks the file complete with its size and SHA-256. Call it with the transaction that also
	 * marks the owner READY, after the stream has been ended, so no half file is ever visible.
	 */
	async finish(tx: Executor): Promise<StoredFile> {
		if (!this.stream.writableEnded) this.stream.end();
		await this.ended;
		const sha256 = this.hash.digest('hex');
		const size = BigInt(this.bytes);
		await tx.updateTable('files').set({ size, sha256, complete: true }).where('id', '=', this.fileId).execute();
		return { fileId: this.fileId, size, sha256 };
	}

	/** Drops the file and its chunks (a failed build). */
	async abort(): Promise<void> {
		if (!this.stream.destroyed) this.stream.destroy();
		const copy = this.copy;
		this.copy = undefined;
		// Cut off mid-COPY: the connection is discarded, and its transaction (every chunk) rolls back with it.
		copy?.client.release(new Error('file write aborted'));
		await this.db.deleteFrom('files').where('id', '=', this.fileId).where('complete', '=', false).execute();
	}
}

/** Opens a file for writing; see FileWriter. */
export function openFileWriter(db: Kysely<DB>, file: NewFile): Promise<FileWriter> {
	return FileWriter.open(db, file);
}

/** Deletes files that never completed (a worker killed mid-write) and are older than `olderThanMs`. */
export async function deleteAbandonedFiles(db: Kysely<DB>, olderThanMs = 6 * 3600_000): Promise<number> {
	const r = await db
		.deleteFrom('files')
		.where('complete', '=', false)
		.where('created_at', '<', new Date(Date.now() - olderThanMs))
		.executeTakeFirst();
	return Number(r.numDeletedRows);
}
