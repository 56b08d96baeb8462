// Reading uploads in the browser, and fingerprints short enough for a table.

export async function fileAsBase64(file: File): Promise<string> {
	const bytes = new Uint8Array(await file.arrayBuffer());
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(binary);
}

/** A short form of a SHA-256 fingerprint for tables; the full one is in the title. */
export function shortFingerprint(fp: string | null | undefined): string {
	return fp ? `${fp.slice(0, 8)}…${fp.slice(-8)}` : '';
}
