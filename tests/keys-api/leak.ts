// Looks for secret material in text a browser could receive: every secret as raw text, base64,
// base64url and hex; long values (keys, .p12 files) by 24-character windows of those forms.
import { rsa, makeP12 } from '../keys/fixtures.ts';

export type Secret = string | Buffer;

export function needles(secret: Secret): string[] {
	const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
	const forms = [bytes.toString('base64'), bytes.toString('hex'), bytes.toString('hex').toUpperCase(), bytes.toString('base64url')];
	if (typeof secret === 'string') forms.push(secret);
	const out: string[] = [];
	for (const f of forms) {
		if (f.length <= 96) out.push(f);
		// Skip the head of long values: every RSA key of a size starts with the same ASN.1 header.
		else for (let i = 48; i + 24 <= f.length; i += 24) out.push(f.slice(i, i + 24));
	}
	// A PEM's body lines are its DER in base64 (and a PEM's base64 is not the DER's base64).
	if (typeof secret === 'string' && secret.includes('-----BEGIN'))
		for (const line of secret.split('\n').slice(2)) if (line.length >= 24 && !line.startsWith('-----')) out.push(line);
	return out;
}

let structuralText: string | undefined;
/**
 * Windows that also occur in unrelated key material are ASN.1 structure (headers, OIDs), not
 * secret: the same encodings of other keys, and a .p12 of another key and password.
 */
function structural(): string {
	if (structuralText !== undefined) return structuralText;
	const noise = [rsa(2048, 'noise'), rsa(1024, 'noise')].flatMap((k) => [k.pkcs1Pem, k.pkcs8Pem, k.spkiPem, k.pkcs1PublicPem, k.pkcs1Base64, k.pkcs8Base64]);
	const p12 = makeP12({ mchId: '1911111111', password: 'other', keyLabel: 'noise' });
	structuralText = noise.join('\n') + p12.toString('base64') + p12.toString('hex') + p12.toString('hex').toUpperCase() + p12.toString('base64url');
	return structuralText;
}

/** Throws naming where a secret shows up in `text`. */
export function expectNoSecret(where: string, text: string, secrets: readonly Secret[]): void {
	const skip = structural();
	for (const s of secrets)
		for (const n of needles(s))
			if (!skip.includes(n) && text.includes(n))
				throw new Error(`${where} leaks secret material: …${n}… of ${typeof s === 'string' ? s.slice(0, 40) : `${s.length} bytes`}`);
}
