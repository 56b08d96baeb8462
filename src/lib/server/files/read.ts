// Reading a stored file: `COPY (SELECT data …) TO STDOUT (FORMAT binary)` streams the chunks'
// raw bytes (bytea read as text would be hex, 3× slower); a small parser strips the COPY
// framing and trims the first and last chunk to the requested byte range. Downloads read one
// window of chunks per query (the next one read ahead while the client receives), so a slow or
// stalled client never holds a connection.
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import { copyOutInto } from '../copy-out.ts';
import { isOutage } from '../outage.ts';
import { getDownloadPool } from './pool.ts';

export interface FileInfo {
	id: bigint;
	merchantId: bigint;
	name: string;
	contentType: string;
	size: bigint;
	/** The size of its chunks (all but the last): what it was written with. */
	chunkSize: number;
	sha256: string | null;
	createdAt: Date;
	expiresAt: Date | null;
}

/** A complete file of this merchant, or undefined (missing, half-written or another merchant's). */
export async function findFile(db: Kysely<DB>, merchantId: bigint, fileId: bigint): Promise<FileInfo | undefined> {
	const r = await db
		.selectFrom('files')
		.selectAll()
		.where('id', '=', fileId)
		.where('merchant_id', '=', merchantId)
		.where('complete', '=', true)
		.executeTakeFirst();
	if (!r) return undefined;
	if (r.expires_at && r.expires_at.getTime() < Date.now()) return undefined;
	return {
		id: r.id,
		merchantId: r.merchant_id,
		name: r.name,
		contentType: r.content_type,
		size: r.size,
		chunkSize: r.chunk_size,
		sha256: r.sha256,
		createdAt: r.created_at,
		expiresAt: r.expires_at
	};
}

export interface ByteRange {
	/** First byte, inclusive. */
	start: number;
	/** Last byte, inclusive. */
	end: number;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * What the parser reads next: the 19-byte header (signature, flags, extension length), the
 * header extension (skipped), a tuple's field count (int16; -1 is the trailer), the field's
 * length (int32), the field's bytes, or nothing after the trailer.
 */
const Part = { Header: 0, Extension: 1, Count: 2, Length: 3, Field: 4, Done: 5 } as const;
type Part = (typeof Part)[keyof typeof Part];
/** The fixed-size heads' lengths. */
const HEAD_BYTES: Record<number, number> = { [Part.Header]: 19, [Part.Count]: 2, [Part.Length]: 4 };

/**
 * Strips binary COPY framing from a one-bytea-column result: header, then per tuple
 * int16 field count + int32 length + bytes, then the -1 trailer. Field bytes go to `emit` as
 * ranges of the buffers it is given (no copy), minus `skip` leading and beyond `limit` bytes. It
 * parses ranges where they lie (a socket read's CopyData contents); only a head cut by the end of
 * a range is gathered, a few bytes.
 */
export class CopyBinaryFields {
	private part: Part = Part.Header;
	/** Bytes of the field or extension still to come. */
	private left = 0;
	/** A head cut by the end of a range: its bytes so far. */
	private head = Buffer.alloc(HEAD_BYTES[Part.Header]);
	private headFill = 0;
	private skip: number;
	private limit: number;

	constructor(skip = 0, limit = Number.MAX_SAFE_INTEGER) {
		this.skip = skip;
		this.limit = limit;
	}

	/** Throws unless the trailer came: Postgres always sends it, so a stream without it was cut. */
	end(): void {
		if (this.part !== Part.Done) throw new Error('truncated COPY binary stream');
	}

	write(buf: Buffer, emit: (buf: Buffer, start: number, end: number) => void, from = 0, to = buf.length): void {
		let pos = from;
		while (pos < to && this.part !== Part.Done) {
			if (this.part === Part.Field || this.part === Part.Extension) {
				const n = Math.min(this.left, to - pos);
				if (this.part === Part.Field) this.emitRange(buf, pos, pos + n, emit);
				this.left -= n;
				pos += n;
				if (this.left === 0) this.part = Part.Count;
				continue;
			}
			const need = HEAD_BYTES[this.part];
			if (this.headFill === 0 && to - pos >= need) {
				this.readHead(buf, pos);
				pos += need;
				continue;
			}
			const n = Math.min(need - this.headFill, to - pos);
			buf.copy(this.head, this.headFill, pos, pos + n);
			this.headFill += n;
			pos += n;
			if (this.headFill === need) {
				this.headFill = 0;
				this.readHead(this.head, 0);
			}
		}
	}

	/** A whole head at `at`: what comes after it. */
	private readHead(h: Buffer, at: number): void {
		switch (this.part) {
			case Part.Header:
				if (!h.subarray(at, at + 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
				this.left = h.readInt32BE(at + 15);
				if (this.left < 0) throw new Error('not a binary COPY stream');
				this.part = this.left > 0 ? Part.Extension : Part.Count;
				return;
			case Part.Count: {
				const fields = h.readInt16BE(at);
				if (fields === -1) this.part = Part.Done;
				else if (fields !== 1) throw new Error(`expected one column, got ${fields}`);
				else this.part = Part.Length;
				return;
			}
			case Part.Length:
				this.left = h.readInt32BE(at);
				if (this.left < 0) throw new Error('NULL chunk');
				this.part = this.left > 0 ? Part.Field : Part.Count;
				return;
		}
	}

	private emitRange(buf: Buffer, start: number, end: number, emit: (buf: Buffer, start: number, end: number) => void): void {
		if (this.skip > 0) {
			const s = Math.min(this.skip, end - start);
			this.skip -= s;
			start += s;
		}
		if (end - start > this.limit) end = start + this.limit;
		this.limit -= end - start;
		if (end > start) emit(buf, start, end);
	}
}

/**
 * Bytes read per query: the connection is held only while this much is read, then returned to
 * the pool. Bigger windows cost fewer queries; a download holds at most two in memory (the one
 * being sent and the next one, read ahead).
 */
const WINDOW_BYTES = 4 * 1024 * 1024;
/** The first window is smaller: the response's headers wait for it. */
const FIRST_WINDOW_BYTES = 1024 * 1024;
/** Whole chunks of `chunkSize` in `bytes`, at least one. */
const chunksIn = (bytes: number, chunkSize: number) => Math.max(1, Math.floor(bytes / chunkSize));
/** Attempts per window when its connection is lost (a terminated backend, a restart): reads are idempotent. */
const WINDOW_ATTEMPTS = 3;

/**
 * One window of chunks [from, to], framing stripped and trimmed to `skip`/`limit`, fully read
 * into one buffer so the connection goes back to the pool before a byte reaches the client: a
 * client that stops reading then holds memory (two windows at most), never a connection.
 */
async function readWindow(fileId: string, chunkSize: number, from: number, to: number, skip: number, limit: number): Promise<{ data: Buffer; rows: number }> {
	const query = `COPY (SELECT data FROM file_chunks WHERE file_id = ${fileId} AND seq BETWEEN ${from} AND ${to} ORDER BY seq) TO STDOUT (FORMAT binary)`;
	const client = await getDownloadPool().connect();
	let failure: Error | undefined;
	try {
		// Every chunk but the file's last is full: the window's bytes are known before it is read.
		const data = Buffer.allocUnsafe(Math.min(limit, (to - from + 1) * chunkSize - skip));
		let at = 0;
		const fields = new CopyBinaryFields(skip, limit);
		const put = (buf: Buffer, start: number, end: number) => {
			if (at + end - start > data.length) throw new Error(`file ${fileId}: a chunk larger than its file's chunk size`);
			at += buf.copy(data, at, start, end);
		};
		// One statement: its plan settings are the pool's (getDownloadPool), so no transaction.
		const rows = await copyOutInto(client, query, (buf, start, end) => fields.write(buf, put, start, end));
		fields.end();
		return { data: data.subarray(0, at), rows };
	} catch (err) {
		failure = err as Error;
		throw err;
	} finally {
		// A COPY cut off mid-way leaves the connection in an unknown state: discard it then.
		client.release(failure);
	}
}

async function readWindowRetrying(fileId: string, chunkSize: number, from: number, to: number, skip: number, limit: number) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await readWindow(fileId, chunkSize, from, to, skip, limit);
		} catch (err) {
			// A lost connection is retried on a fresh one; a pool with no free connection in time
			// (ServiceBusy-like) or a Postgres that stays down ends the download.
			const lost = isOutage(err) && !/^timeout exceeded when trying to connect/.test((err as Error).message);
			if (!lost || attempt >= WINDOW_ATTEMPTS) throw err;
			await new Promise((r) => setTimeout(r, 100 * attempt));
		}
	}
}

/** A file's bytes window by window (see openFileReader). */
export interface FileReader {
	/** The next window's bytes, in order (never empty), or null at the end. */
	next(): Promise<Buffer | null>;
	/** Stops: a window being read ahead finishes in the background (its connection goes back) and is dropped. */
	close(): void;
}

/** What reading a file needs to know of it. */
export type StoredChunks = Pick<FileInfo, 'id' | 'chunkSize'>;

/**
 * Reads a complete file, optionally one inclusive byte range, one window per query. The
 * caller has checked that the file exists and belongs to the person asking (findFile). The
 * first window is read before this resolves, so a Postgres outage or a saturated pool is the
 * caller's error (a 503 before any header), not a download cut short. Each window handed out
 * starts the read of the next, so Postgres reads while the client receives.
 */
export async function openFileReader(file: StoredChunks, range?: ByteRange): Promise<FileReader> {
	const { chunkSize } = file;
	const first = range ? Math.floor(range.start / chunkSize) : 0;
	const last = range ? Math.floor(range.end / chunkSize) : 2 ** 31 - 1;
	// COPY takes no bind parameters: the values are integers we made ourselves.
	const id = BigInt(file.id).toString();
	let skip = range ? range.start - first * chunkSize : 0;
	let left = range ? range.end - range.start + 1 : Number.MAX_SAFE_INTEGER;
	let nextSeq = first;
	let closed = false;
	const read = async () => {
		const to = Math.min(nextSeq + chunksIn(nextSeq === first ? FIRST_WINDOW_BYTES : WINDOW_BYTES, chunkSize) - 1, last);
		const w = await readWindowRetrying(id, chunkSize, nextSeq, to, skip, left);
		left -= w.data.length;
		skip = 0;
		// Every chunk but the last is full: fewer rows than asked for, or a short one, is the end.
		const more = nextSeq + w.rows - 1 === to && to < last && left > 0 && w.rows > 0;
		nextSeq = to + 1;
		return { data: w.data, more };
	};
	let ahead: Promise<{ data: Buffer; more: boolean }> | null = Promise.resolve(await read());
	return {
		async next() {
			if (!ahead) return null;
			const w = await ahead;
			ahead = w.more && !closed ? read() : null;
			// A failure of the read ahead surfaces at the next call; until then it is handled.
			ahead?.catch(() => {});
			return w.data.length || w.more ? w.data : null;
		},
		close() {
			closed = true;
			ahead = null;
		}
	};
}

/** A Readable of a complete file's bytes, optionally one inclusive byte range (see openFileReader). */
export async function openFileReadStream(file: StoredChunks, range?: ByteRange): Promise<Readable> {
	const reader = await openFileReader(file, range);
	return Readable.from(
		(async function* () {
			try {
				for (let data = await reader.next(); data; data = await reader.next()) yield data;
			} finally {
				reader.close();
			}
		})(),
		{ objectMode: false }
	);
}

/** Reads a whole file into memory (tests and small files only), by its id alone. */
export async function readFileBytes(fileId: bigint, range?: ByteRange): Promise<Buffer> {
	const { rows } = await getDownloadPool().query<{ chunk_size: number }>('SELECT chunk_size FROM files WHERE id = $1', [fileId.toString()]);
	if (!rows[0]) throw new Error(`no file ${fileId}`);
	const parts: Buffer[] = [];
	for await (const part of await openFileReadStream({ id: fileId, chunkSize: rows[0].chunk_size }, range)) parts.push(part as Buffer);
	return Buffer.concat(parts);
}
