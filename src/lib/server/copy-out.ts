// `COPY … TO STDOUT` as a Readable, like pg-copy-streams' `to()` (whose class this extends), with
// a leaner parse of each socket read: the CopyData contents are gathered into one view of the
// read's buffer. pg-copy-streams takes each message's content out of a buffer list as a Buffer of its
// own and concatenates them again; a CSV COPY sends one message per row, so a 1M-row export made
// a million Buffer objects (a CPU profile of the build: ~140 ms in the list and its slices and
// 234 ms of garbage collection). The protocol handling — attaching to the connection, handing
// back what follows the COPY, errors, the row count — stays pg-copy-streams' (version pinned in
// package-lock.json; this relies on its `_buffer` and `_detach`).
// Relative imports only: the jobs run this under plain Node.
import { createRequire } from 'node:module';
import type { Submittable } from 'pg';
import type { Readable, ReadableOptions } from 'node:stream';
import { finished } from 'node:stream/promises';

const require = createRequire(import.meta.url);

interface CopyToBase extends Readable, Submittable {
	rowCount: number;
	_buffer: { push(b: Buffer): void };
	_detach(): void;
	_cleanup(): void;
}
// The module exports a factory (`to`), not its class; `new` on the factory would hand back the
// library's own instance and this subclass's parser would never run. The class is the
// constructor of what the factory makes.
const copyToFactory = require('pg-copy-streams/copy-to') as (text: string) => CopyToBase;
const CopyToQuery = copyToFactory('').constructor as new (text: string, options?: ReadableOptions) => CopyToBase;

const COPY_DATA = 0x64;
const ERROR_RESPONSE = 0x45;
/** Messages that may arrive during copy-out without ending it (the protocol's asynchronous ones, and the response that starts it). */
const WITHIN_COPY = new Set([0x48 /* CopyOutResponse */, COPY_DATA, 0x53 /* ParameterStatus */, 0x4e /* NoticeResponse */, 0x41 /* NotificationResponse */]);

/**
 * Takes each piece of CopyData content as it is parsed, a range of the socket read's buffer that
 * is only valid during the call. A consumer that copies the bytes where they belong anyway (a
 * download's window) then needs no stream: no gathering, no push, no async iteration per read.
 */
export type CopyDataSink = (buffer: Buffer, start: number, end: number) => void;

class CopyOut extends CopyToQuery {
	readonly #sink: CopyDataSink | undefined;

	constructor(text: string, options?: ReadableOptions, sink?: CopyDataSink) {
		super(text, options);
		this.#sink = sink;
	}

	/**
	 * CopyData messages parsed so far. Postgres sends one per row in text and CSV (a quoted newline
	 * stays inside its row's message), so this is a running row count for progress, exact at
	 * the end like `rowCount`, without scanning the bytes for newlines.
	 */
	rowsSoFar = 0;
	/** A message header (code + length) cut by the end of a read: its bytes so far. */
	#head = Buffer.alloc(5);
	#headFill = 0;
	/** The message whose content is being read, and how much of it is left. */
	#code = 0;
	#left = 0;

	/**
	 * Called by pg-copy-streams for each socket read; returns whether to go on reading. The
	 * CopyData contents are moved together inside the read's own buffer (nobody else holds it; what
	 * follows the COPY is handed back untouched, since contents only move towards the start) and
	 * pushed as one view: no allocation per message. Buffer#copy made a Uint8Array per call (a
	 * million for a 1M-row CSV, with the headers' copies two), and their garbage was most of the
	 * build's GC.
	 */
	_parse(chunk: Buffer): boolean | undefined {
		let outLen = 0;
		let pos = 0;
		let done = false;
		const len = chunk.length;
		while (pos < len) {
			if (this.#left > 0) {
				const n = Math.min(this.#left, len - pos);
				if (this.#code === COPY_DATA) {
					if (this.#sink) {
						// A sink that throws (bytes it cannot take) fails the COPY; the caller discards the connection.
						try {
							this.#sink(chunk, pos, pos + n);
						} catch (err) {
							this.destroy(err as Error);
							return false;
						}
					} else {
						if (outLen !== pos) chunk.copyWithin(outLen, pos, pos + n);
						outLen += n;
					}
				}
				pos += n;
				this.#left -= n;
				if (this.#left === 0 && !WITHIN_COPY.has(this.#code)) {
					done = true;
					break;
				}
				continue;
			}
			// A header: 1 byte of code, 4 of length (which counts itself).
			if (this.#headFill === 0 && chunk[pos] === ERROR_RESPONSE) {
				// pg reads the error from here on (and what follows it); the stream fails with it.
				if (outLen > 0) this.push(chunk.subarray(0, outLen));
				this._buffer.push(chunk.subarray(pos));
				this._detach();
				return false;
			}
			if (this.#headFill === 0 && len - pos >= 5) {
				this.#code = chunk[pos];
				this.#left = chunk.readUInt32BE(pos + 1) - 4;
				pos += 5;
			} else {
				// Cut by the end of a read: gathered byte by byte across reads.
				while (this.#headFill < 5 && pos < len) this.#head[this.#headFill++] = chunk[pos++];
				if (this.#headFill < 5) break;
				this.#headFill = 0;
				this.#code = this.#head[0];
				this.#left = this.#head.readUInt32BE(1) - 4;
			}
			if (this.#code === COPY_DATA) this.rowsSoFar++;
			if (this.#left === 0 && !WITHIN_COPY.has(this.#code)) {
				done = true;
				break;
			}
		}
		const drained = outLen > 0 ? this.push(chunk.subarray(0, outLen)) : true;
		if (done) {
			// What follows the COPY (CommandComplete, ReadyForQuery) is pg's again.
			if (pos < len) this._buffer.push(chunk.subarray(pos));
			this._detach();
			this.push(null);
			this._cleanup();
		}
		return drained;
	}
}

/** A COPY-out stream (see CopyOut): its data chunks, `rowCount` at the end, `rowsSoFar` on the way. */
export type CopyOutStream = CopyToBase & { readonly rowsSoFar: number };

/** `COPY … TO STDOUT` for client.query(); see CopyOut. */
export function copyOut(text: string, options?: ReadableOptions): CopyOutStream {
	return new CopyOut(text, options);
}

/**
 * `COPY … TO STDOUT` whose data goes to `sink` as it is parsed (see CopyDataSink), for
 * client.query(). The stream carries no data: it ends when the COPY does, fails with its error,
 * and says `rowCount` at the end.
 */
export async function copyOutInto(client: { query(q: CopyOutStream): unknown }, text: string, sink: CopyDataSink): Promise<number> {
	const copy = new CopyOut(text, undefined, sink);
	client.query(copy);
	// Flowing mode starts the reads; no data event ever comes.
	copy.resume();
	await finished(copy);
	return copy.rowCount;
}

/** A COPY's data chunks, each handed on after `onRows` has heard the rows received so far. */
export async function* withRowProgress(copy: CopyOutStream, onRows?: (rows: number) => void): AsyncGenerator<Buffer> {
	for await (const chunk of copy) {
		onRows?.(copy.rowsSoFar);
		yield chunk as Buffer;
	}
}
