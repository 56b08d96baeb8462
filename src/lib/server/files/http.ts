// Serving a stored file over HTTP: Content-Length, a UTF-8 filename (RFC 6266 / 5987),
// ETag from the SHA-256, and single byte ranges (206) so a broken download can resume.
import { openFileReader, type ByteRange, type FileInfo, type FileReader } from './read.ts';

/**
 * The one range of a `Range: bytes=…` header. null: serve the whole file (no header, a
 * malformed one, or several ranges, which RFC 9110 lets a server ignore). 'unsatisfiable': 416.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
	if (!header) return null;
	const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!m || (m[1] === '' && m[2] === '')) return null;
	if (m[1] === '') {
		const suffix = Number(m[2]);
		if (suffix === 0 || size === 0) return 'unsatisfiable';
		return { start: Math.max(0, size - suffix), end: size - 1 };
	}
	const start = Number(m[1]);
	const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
	if (start >= size || end < start) return 'unsatisfiable';
	return { start, end };
}

/** `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` */
export function contentDisposition(name: string): string {
	const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const PIECE = 512 * 1024;

/**
 * Hands the response ~512 KiB at a time (views of the window's buffer, no copy) instead of
 * each socket read (~64 KiB): every piece costs a promise round trip through the web stream and
 * a write in the adapter, so fewer, larger pieces roughly double the download speed; a whole
 * 4 MiB window at once would leave a slow client no pull for the stall guard's idle time.
 * Closing the generator (a cancelled response) closes the reader: it holds a Postgres
 * connection only while it reads a window.
 */
async function* pieces(reader: FileReader): AsyncGenerator<Uint8Array> {
	try {
		for (let data = await reader.next(); data; data = await reader.next())
			for (let at = 0; at < data.length; at += PIECE) yield data.subarray(at, at + PIECE);
	} finally {
		reader.close();
	}
}

interface StallGuard {
	/** How long the client may take no data before onStall runs. */
	idleMs: number;
	/** Ends the connection (the route destroys the socket). */
	onStall: () => void;
}

/**
 * The whole response for a file the caller may read (access was checked before). With a
 * stall guard, a client that stops reading (the response is not pulled for idleMs) has its
 * connection ended, instead of keeping the socket and a window of the file in memory forever.
 */
export async function fileResponse(file: FileInfo, request: Request, stall?: StallGuard): Promise<Response> {
	const size = Number(file.size);
	const etag = file.sha256 ? `"${file.sha256}"` : null;
	const headers = new Headers({
		'Content-Type': file.contentType,
		'Content-Disposition': contentDisposition(file.name),
		'Accept-Ranges': 'bytes',
		'Cache-Control': 'private, no-store',
		'X-Content-Type-Options': 'nosniff'
	});
	if (etag) headers.set('ETag', etag);

	// If-Range with another validator: the file changed since the first part; send it whole.
	const ifRange = request.headers.get('if-range');
	const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.get('range'), size);
	if (range === 'unsatisfiable') {
		headers.set('Content-Range', `bytes */${size}`);
		return new Response(null, { status: 416, headers });
	}
	if (request.method === 'HEAD') {
		headers.set('Content-Length', String(range ? range.end - range.start + 1 : size));
		return new Response(null, { status: range ? 206 : 200, headers });
	}
	if (size === 0) {
		headers.set('Content-Length', '0');
		return new Response(null, { status: 200, headers });
	}
	// Throws before any byte is sent when Postgres is down or the file pool is saturated (→ 503).
	const reader = await openFileReader(file, range ?? { start: 0, end: size - 1 });
	const body = pieces(reader);
	let idle: NodeJS.Timeout | undefined;
	const webBody = new ReadableStream<Uint8Array>({
		async pull(controller) {
			clearTimeout(idle);
			const next = await body.next();
			if (next.done) return controller.close();
			controller.enqueue(next.value);
			// The adapter pulls again once the socket has taken this piece; until then the client is not reading.
			if (stall) idle = setTimeout(stall.onStall, stall.idleMs);
		},
		async cancel() {
			clearTimeout(idle);
			await body.return(undefined);
		}
	});
	if (range) {
		headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
		headers.set('Content-Length', String(range.end - range.start + 1));
		return new Response(webBody, { status: 206, headers });
	}
	headers.set('Content-Length', String(size));
	return new Response(webBody, { status: 200, headers });
}
