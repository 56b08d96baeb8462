// Reads a request body up to a cap. Content-Length is only a claim: a chunked body has none and
// a lying one understates, so the stream itself is counted and abandoned at the cap, instead of
// `request.text()` holding however many megabytes a caller sends before anything is checked.

export type CappedBody = { status: 'ok'; text: string } | { status: 'tooLarge' } | { status: 'unreadable' };

export async function readBodyCapped(request: Request, maxBytes: number): Promise<CappedBody> {
	const declared = request.headers.get('content-length');
	if (declared !== null && !(Number(declared) <= maxBytes)) return { status: 'tooLarge' };
	if (!request.body) return { status: 'ok', text: '' };
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			total += value.byteLength;
			if (total > maxBytes) {
				// stop the sender: nothing past the cap is read
				await reader.cancel().catch(() => {});
				return { status: 'tooLarge' };
			}
			chunks.push(value);
		}
	} catch {
		// the client went away, or the server's own body limit cut the stream
		return { status: 'unreadable' };
	}
	try {
		// JSON is UTF-8 (RFC 8259); invalid bytes are refused rather than silently replaced
		return { status: 'ok', text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks)) };
	} catch {
		return { status: 'unreadable' };
	}
}
