// Reading RSA keys the way merchants paste them (PEM or bare base64 DER, PKCS#1/PKCS#8
// private keys, SPKI/PKCS#1 public keys). The parsing itself runs in the parse worker
// (parse-core.ts); this side bounds the text and turns the outcome into field messages.
import { MAX_KEY_CHARS, type KeyIssue } from '#shared/schemas/keys.ts';
import type { KeyParseFailure as CoreFailure } from './parse-core.ts';
import { parsePool, type ParseRefusal } from './parse-pool.ts';

export interface ParsedKey {
	bits: number;
	/** The public half as SPKI DER: what fingerprints are taken of. */
	spkiDer: Buffer;
	/** Normalized PEM: PKCS#8 for private keys, SPKI for public keys. */
	pem: string;
	fingerprint: string;
}

export type KeyParseFailure = CoreFailure | ParseRefusal;

export type KeyParse = { ok: true; parsed: ParsedKey } | { ok: false; reason: KeyParseFailure; params?: { bits: number; max: number } };

async function parse(task: 'privateKey' | 'publicKey', input: string): Promise<KeyParse> {
	const text = input.trim();
	if (!text || text.length > MAX_KEY_CHARS) return { ok: false, reason: 'unreadable' };
	const r = await parsePool.run(task, text);
	if (!r.ok) return { ok: false, reason: r.refusal };
	if (!r.value.ok) return r.value;
	const { spkiDer, ...rest } = r.value.parsed;
	// Structured clone turns a Buffer into a plain Uint8Array on the way back.
	return { ok: true, parsed: { ...rest, spkiDer: Buffer.from(spkiDer.buffer, spkiDer.byteOffset, spkiDer.byteLength) } };
}

/** A private key field: a public key pasted here is reported as swapped. */
export function parsePrivateKey(input: string): Promise<KeyParse> {
	return parse('privateKey', input);
}

/**
 * A public key field. Checked for a private key first: node derives a public key from a
 * private one without complaint, which would hide the mistake (and keep a private key).
 */
export function parsePublicKey(input: string): Promise<KeyParse> {
	return parse('publicKey', input);
}

/** The refusals every key field words the same way; the rest depend on the field. */
export function commonKeyIssue(field: string, r: Extract<KeyParse, { ok: false }>): KeyIssue | null {
	switch (r.reason) {
		case 'tooLarge':
			return { field, key: 'keys.rsa.tooLarge', params: r.params };
		case 'badExponent':
			return { field, key: 'keys.rsa.badExponent' };
		case 'keys.parseTimeout':
		case 'keys.parseBusy':
			return { field, key: r.reason };
		default:
			return null;
	}
}
