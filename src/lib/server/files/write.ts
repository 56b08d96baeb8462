// Writing a file: open (a `files` row with complete = false), stream bytes in (stored as
// 1 MiB chunks as they arrive, never the whole file in memory), then finish inside the
// owner's transaction so the file becomes complete exactly when its owner says READY.
import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import { CHUNK_SIZE } from './chunks.ts';

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

export class FileWriter {
	readonly fileId: bigint;
	/** Pipe the content here; its back-pressure holds the source while a chunk waits for the one before. */
	readonly stream: Writable;
	private readonly hash: Hash = createHash('sha256');
	private pending: Buffer[] = [];
	private pendingBytes = 0;
	private seq = 0;
	private bytes = 0;
	/** The chunk INSERT under way: the next chunk fills while it runs (one in flight, in order). */
	private inflight: Promise<void> = Promise.resolve();
	private readonly ended: Promise<void>;

	private constructor(
		private readonly db: Kysely<DB>,
		fileId: bigint
	) {
		this.fileId = fileId;
		this.stream = new Writable({
			highWaterMark: CHUNK_SIZE,
			write: (chunk: Buffer, _enc, cb) => {
				this.take(chunk).then(() => cb(), cb);
			},
			final: (cb) => {
				this.flush(true).then(() => cb(), cb);
			}
		});
		this.ended = new Promise((resolve, reject) => {
			this.stream.once('finish', resolve);
			this.stream.once('error', reject);
		});
		// The error surfaces through `ended`; without a listener a failed INSERT would crash the process.
		this.ended.catch(() => {});
	}

	static async open(db: Kysely<DB>, file: NewFile): Promise<FileWriter> {
		const row = await db
			.insertInto('files')
			.values({
				merchant_id: file.merchantId,
				name: file.name,
				content_type: file.contentType,
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
		this.pending.push(chunk);
		this.pendingBytes += chunk.length;
		if (this.pendingBytes >= CHUNK_SIZE) await this.flush(false);
	}

	private async flush(last: boolean): Promise<void> {
		if (this.pendingBytes === 0) return this.inflight;
		let all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
		while (all.length >= CHUNK_SIZE || (last && all.length > 0)) {
			const piece = all.subarray(0, Math.min(CHUNK_SIZE, all.length));
			const seq = this.seq++;
			// Wait for the previous chunk only, so the source keeps streaming during an INSERT.
			await this.inflight;
			const insert = this.db.insertInto('file_chunks').values({ file_id: this.fileId, seq, data: piece }).execute();
			this.inflight = insert.then(() => undefined);
			// Its failure surfaces at the next flush or at the end; until then it is handled.
			this.inflight.catch(() => {});
			all = all.subarray(piece.length);
		}
		this.pending = all.length ? [Buffer.from(all)] : [];
		this.pendingBytes = all.length;
		if (last) await this.inflight;
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
		await this.inflight.catch(() => {});
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
