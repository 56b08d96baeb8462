// Reading uploads in the browser and showing a refused save under each field.
import { TRPCClientError } from '@trpc/client';

/** The per-field messages of a BAD_REQUEST (already in the person's language), or null. */
export function fieldErrorsOf(e: unknown): Record<string, string> | null {
	if (!(e instanceof TRPCClientError)) return null;
	const fields = (e.data as { fieldErrors?: Record<string, string> | null } | undefined)?.fieldErrors;
	return fields && Object.keys(fields).length ? fields : null;
}

/** The message to toast for an error that belongs to no field. */
export function messageOf(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

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
