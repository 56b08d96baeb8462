// Certificate and key parsing as it runs inside the parse worker (parse-worker.ts, started by
// parse-pool.ts), never on the web process's event loop: the WeChat apiclient_cert.p12, RSA
// keys as merchants paste them, and the 签名验证 check.
//
// This module's value imports are node-forge and node:* only, never the app's own modules
// (types are fine, they vanish): in the production build it shares a chunk with nothing the
// web app loads, so a worker can start that chunk on its own.
import { createHash, createPrivateKey, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { MessageKey } from '#shared/i18n/messages.ts';
import type { VerifyAlgorithm } from '#shared/schemas/keys.ts';

/**
 * The highest PBE or MAC iteration count a .p12 may ask for. WeChat's apiclient_cert.p12 is
 * written by OpenSSL with its default of 2048 (OpenSSL 3 and Windows' exporter also use 2000-2048);
 * 10,000 leaves room for tools that raise it, while one derivation stays ~40 ms in forge's
 * JavaScript SHA-1. forge takes the count from the file and hashes synchronously before it can
 * tell the password is wrong, so 2^31-1 (one INTEGER in a crafted file) would hash for an hour.
 */
export const MAX_P12_ITERATIONS = 10_000;
/**
 * All derivations of one file together, in iterations: the MAC key once, each PKCS#12 PBE
 * twice (key and IV), each PBKDF2 counted twice (HMAC: two hashes an iteration). A real file
 * needs about 5 × 2048 = 10,240; this keeps a file of many encrypted bags near 0.2 s.
 */
export const MAX_P12_WORK = 40_000;
/** ASN.1 nesting: a certificate is about 10 deep; forge's default allows 256. */
export const MAX_ASN1_DEPTH = 32;
/**
 * RSA modulus bits accepted anywhere (2048 is what Alipay, WeChat and the platform use). A
 * 16,384-bit key makes every check on it hundreds of times slower.
 */
export const MAX_RSA_BITS = 4096;
/** A public exponent above this is not from any key generator (65537 is the norm, 3 the old one). */
const MAX_RSA_EXPONENT = 2n ** 32n + 1n;

// ---------------------------------------------------------------------------------------------
// PKCS#12: what forge would hash, read before it hashes

const OID = {
	data: '1.2.840.113549.1.7.1',
	encryptedData: '1.2.840.113549.1.7.6',
	shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
	pbes2: '1.2.840.113549.1.5.13',
	pbkdf2: '1.2.840.113549.1.5.12',
	/** The two PKCS#12 PBE schemes forge can decrypt (pbeWithSHAAnd3-KeyTripleDES-CBC, …40BitRC2-CBC). */
	pkcs12Pbe: new Set(['1.2.840.113549.1.12.1.3', '1.2.840.113549.1.12.1.6'])
};

type Asn1 = forge.asn1.Asn1;

/** The file is not a PKCS#12 forge could read (forge would throw before hashing, too). */
class Malformed extends Error {}
/** An iteration count, or all of them together, above the bounds. */
export class IterationsTooHigh extends Error {}

/** Iterations charged against MAX_P12_ITERATIONS (each) and MAX_P12_WORK (all together). */
export class P12Work {
	spent = 0;
	charge(iterations: number, times: number): void {
		if (!(iterations >= 1)) throw new Malformed('iteration count below 1');
		if (iterations > MAX_P12_ITERATIONS) throw new IterationsTooHigh(`iteration count ${iterations}`);
		this.spent += iterations * times;
		if (this.spent > MAX_P12_WORK) throw new IterationsTooHigh(`iterations ${this.spent} in all`);
	}
}

function fromDer(bytes: string): Asn1 {
	const options = { strict: false, parseAllBytes: true, decodeBitStrings: false, maxDepth: MAX_ASN1_DEPTH };
	return forge.asn1.fromDer(forge.util.createBuffer(bytes), options as unknown as boolean);
}

function children(node: Asn1 | undefined, type: forge.asn1.Type, min: number): Asn1[] {
	if (!node || node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== type || !Array.isArray(node.value) || node.value.length < min)
		throw new Malformed('unexpected ASN.1 structure');
	return node.value;
}

const sequence = (node: Asn1 | undefined, min = 0) => children(node, forge.asn1.Type.SEQUENCE, min);

function primitive(node: Asn1 | undefined, type: forge.asn1.Type): string {
	if (!node || node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== type) throw new Malformed('unexpected ASN.1 type');
	if (typeof node.value === 'string') return node.value;
	// BER: an OCTET STRING in chunks, as forge's own PKCS#7 Data reader accepts.
	if (type !== forge.asn1.Type.OCTETSTRING) throw new Malformed('constructed primitive');
	return node.value.map((chunk) => primitive(chunk, type)).join('');
}

const oidOf = (node: Asn1 | undefined) => forge.asn1.derToOid(primitive(node, forge.asn1.Type.OID));

/** [0] EXPLICIT … */
function explicit0(node: Asn1 | undefined): Asn1 {
	if (!node || node.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || node.type !== 0 || !Array.isArray(node.value) || !node.value[0])
		throw new Malformed('expected [0]');
	return node.value[0];
}

/** An INTEGER as a count: Infinity past 32 bits (it is refused anyway), Malformed if negative. */
function countOf(node: Asn1 | undefined): number {
	const bytes = primitive(node, forge.asn1.Type.INTEGER);
	if (bytes.length === 0 || bytes.charCodeAt(0) & 0x80) throw new Malformed('negative count');
	const digits = bytes.replace(/^\0+/, '');
	if (digits.length > 4) return Infinity;
	let n = 0;
	for (let i = 0; i < digits.length; i++) n = n * 256 + digits.charCodeAt(i);
	return n;
}

/**
 * What decrypting with this AlgorithmIdentifier makes forge hash. Only the schemes forge
 * decrypts are readable; anything else it refuses before hashing, and so do we.
 */
function chargeAlgorithm(algorithm: Asn1 | undefined, work: P12Work): void {
	const [oid, params] = sequence(algorithm, 2);
	const id = oidOf(oid);
	if (OID.pkcs12Pbe.has(id)) {
		// pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }; key and IV derived apart.
		work.charge(countOf(sequence(params, 2)[1]), 2);
	} else if (id === OID.pbes2) {
		// PBES2-params ::= SEQUENCE { keyDerivationFunc { PBKDF2, PBKDF2-params { salt, iterationCount, … } }, encryptionScheme }
		const [kdf] = sequence(params, 2);
		const [kdfOid, kdfParams] = sequence(kdf, 2);
		if (oidOf(kdfOid) !== OID.pbkdf2) throw new Malformed('PBES2 without PBKDF2');
		work.charge(countOf(sequence(kdfParams, 2)[1]), 2);
	} else throw new Malformed(`unsupported PBE ${id}`);
}

function chargeSafeContents(der: string, work: P12Work): void {
	for (const bag of sequence(fromDer(der))) {
		const [bagId, bagValue] = sequence(bag, 2);
		// EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }
		if (oidOf(bagId) === OID.shroudedKeyBag) chargeAlgorithm(sequence(explicit0(bagValue), 2)[0], work);
	}
}

/**
 * Reads every iteration count forge would use on this PFX that can be read without the
 * password: the MAC's (MacData.iterations), each encrypted safe's PBE, and each shrouded key
 * bag's PBE in the unencrypted safes. Bags inside an encrypted safe are only readable after
 * the MAC check and decryption; forge's own derivations are bounded for those (guardForge).
 * Throws IterationsTooHigh or Malformed.
 */
export function chargePfx(pfx: Asn1, work: P12Work): void {
	// PFX ::= SEQUENCE { version INTEGER, authSafe ContentInfo, macData MacData OPTIONAL }
	const [, authSafe, macData] = sequence(pfx, 2);
	// MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
	if (macData) {
		const mac = sequence(macData, 2);
		work.charge(mac[2] ? countOf(mac[2]) : 1, 1);
	}
	const [contentType, content] = sequence(authSafe, 2);
	if (oidOf(contentType) !== OID.data) throw new Malformed('not password integrity mode');
	// AuthenticatedSafe ::= SEQUENCE OF ContentInfo, inside the Data OCTET STRING.
	for (const info of sequence(fromDer(primitive(explicit0(content), forge.asn1.Type.OCTETSTRING)))) {
		const [type, value] = sequence(info, 2);
		const id = oidOf(type);
		if (id === OID.data) chargeSafeContents(primitive(explicit0(value), forge.asn1.Type.OCTETSTRING), work);
		else if (id === OID.encryptedData) {
			// EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { contentType, contentEncryptionAlgorithm, [0] encryptedContent } }
			const [, encryptedContentInfo] = sequence(explicit0(value), 2);
			chargeAlgorithm(sequence(encryptedContentInfo, 2)[1], work);
		} else throw new Malformed(`unsupported ContentInfo ${id}`);
	}
}

/** The work of one openP12 call as forge actually does it; null outside one. */
let running: P12Work | null = null;
let guarded = false;

/**
 * Bounds forge's three key derivations (PKCS#12 MAC key, PKCS#12 PBE, PBKDF2) themselves:
 * every call is charged before it hashes, wherever forge found its count, including bags it
 * only sees after decrypting a safe. Outside openP12 a single count is still bounded. Called
 * once by the worker at start (it changes this thread's forge for good, so not on the web
 * process's thread), also sets forge's ASN.1 nesting limit for its internal parses.
 */
export function guardForge(): void {
	if (guarded) return;
	guarded = true;
	// Not in @types/node-forge: the default depth of every fromDer call forge makes itself.
	(forge.asn1 as unknown as { maxDepth: number }).maxDepth = MAX_ASN1_DEPTH;
	const charge = (iterations: unknown, times: number) => (running ?? new P12Work()).charge(Number(iterations), times);
	type Fn = (...args: never[]) => unknown;
	const wrap = <T extends Record<K, Fn>, K extends keyof T & string>(owner: T, name: K, at: number, times: number) => {
		const original = owner[name];
		owner[name] = ((...args: never[]) => {
			charge(args[at], times);
			return original.apply(owner, args);
		}) as T[K];
	};
	const pbe = (forge.pki as unknown as { pbe: Record<'generatePkcs12Key', Fn> }).pbe;
	// generateKey(password, salt, id, iter, n, md): the MAC key (and, as pbe.generatePkcs12Key, PBE keys and IVs).
	wrap(forge.pkcs12 as unknown as Record<'generateKey', Fn>, 'generateKey', 3, 1);
	wrap(pbe, 'generatePkcs12Key', 3, 1);
	// pbkdf2(password, salt, iterations, keySize, md)
	wrap(forge.pkcs5 as unknown as Record<'pbkdf2', Fn>, 'pbkdf2', 2, 2);
}

export type P12Refusal = Extract<
	MessageKey,
	| 'keys.wechat.certCorrupt'
	| 'keys.wechat.certPasswordWrong'
	| 'keys.wechat.certIterationsTooHigh'
	| 'keys.wechat.certMissing'
	| 'keys.wechat.certKeyMissing'
	| 'keys.wechat.certKeyMismatch'
	| 'keys.wechat.certSubjectMismatch'
	| 'keys.wechat.certExpired'
	| 'keys.wechat.certNotYetValid'
	| 'keys.wechat.privateKeyCorrupt'
	| 'keys.rsa.tooLarge'
	| 'keys.rsa.badExponent'
>;

export interface P12Certificate {
	serialNumber: string;
	/** "CN=…, OU=…, O=…" */
	subject: string;
	notBefore: Date;
	notAfter: Date;
	/** SHA-256 of the certificate DER. */
	fingerprint: string;
}

export type P12Open = { ok: true; cert: P12Certificate } | { ok: false; key: P12Refusal; params?: Record<string, string | number> };

/** forge hands attribute values over as raw bytes; company names are UTF8String or BMPString. */
function attributeText(a: forge.pki.CertificateField): string {
	const raw = String(a.value ?? '');
	// @types/node-forge types valueTagClass as a tag class; at runtime it holds the ASN.1 type.
	const type = a.valueTagClass as unknown as number;
	try {
		if (type === forge.asn1.Type.UTF8) return forge.util.decodeUtf8(raw);
		if (type === forge.asn1.Type.BMPSTRING) return Buffer.from(raw, 'binary').swap16().toString('utf16le');
	} catch {
		// fall through: show the bytes as they are rather than refuse the certificate
	}
	return raw;
}

function subjectText(cert: forge.pki.Certificate): string {
	return cert.subject.attributes.map((a) => `${a.shortName ?? a.name ?? a.type}=${attributeText(a)}`).join(', ');
}

/** WeChat's apiclient certificates name the 商户号 in the subject CN (newer) or OU (older). */
function namesMerchant(cert: forge.pki.Certificate, mchId: string): boolean {
	return cert.subject.attributes.some((a) => (a.shortName === 'CN' || a.shortName === 'OU') && attributeText(a).trim() === mchId);
}

function bagsOf(p12: forge.pkcs12.Pkcs12Pfx, type: string): forge.pkcs12.Bag[] {
	return p12.getBags({ bagType: type })[type] ?? [];
}

/** Too big a modulus, or an exponent no key generator makes (even, 1, or huge). */
function rsaShapeIssue(bits: number, exponent: bigint): Extract<P12Open, { ok: false }> | null {
	if (bits > MAX_RSA_BITS) return { ok: false, key: 'keys.rsa.tooLarge', params: { bits, max: MAX_RSA_BITS } };
	if (exponent < 3n || exponent % 2n === 0n || exponent > MAX_RSA_EXPONENT) return { ok: false, key: 'keys.rsa.badExponent' };
	return null;
}

/**
 * Opens the PKCS#12 with its password and checks it is a usable refund certificate for
 * `mchId` at `now`. Each failure names what is wrong so the merchant knows what to fix.
 * Iteration counts are read and bounded before forge hashes anything.
 */
export function openP12(file: Uint8Array, password: string, mchId: string, now: Date): P12Open {
	const fail = (key: P12Refusal, params?: Record<string, string | number>): P12Open => ({ ok: false, key, params });
	if (!guarded) throw new Error('openP12 runs in the parse worker (guardForge not installed)');
	let asn1: Asn1;
	try {
		const options = { strict: true, parseAllBytes: true, decodeBitStrings: true, maxDepth: MAX_ASN1_DEPTH };
		asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(file).toString('binary')), options as unknown as boolean);
		chargePfx(asn1, new P12Work());
	} catch (e) {
		return fail(e instanceof IterationsTooHigh ? 'keys.wechat.certIterationsTooHigh' : 'keys.wechat.certCorrupt');
	}
	let p12: forge.pkcs12.Pkcs12Pfx;
	running = new P12Work();
	try {
		p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
	} catch (e) {
		if (e instanceof IterationsTooHigh) return fail('keys.wechat.certIterationsTooHigh');
		// forge reports a failed MAC check (the usual wrong-password symptom) by this text.
		if (/MAC could not be verified|Invalid password/i.test((e as Error)?.message ?? '')) return fail('keys.wechat.certPasswordWrong');
		return fail('keys.wechat.certCorrupt');
	} finally {
		running = null;
	}
	const certs = bagsOf(p12, forge.pki.oids.certBag)
		.map((b) => b.cert)
		.filter((c): c is forge.pki.Certificate => !!c);
	const keys = [...bagsOf(p12, forge.pki.oids.pkcs8ShroudedKeyBag), ...bagsOf(p12, forge.pki.oids.keyBag)]
		.map((b) => b.key as forge.pki.rsa.PrivateKey | undefined)
		.filter((k): k is forge.pki.rsa.PrivateKey => !!k && typeof k.n === 'object');
	const checked = checkCertificate(certs, keys, mchId, now);
	return checked.ok ? { ok: true, cert: checked.cert } : checked;
}

/**
 * The checks a refund certificate must pass, whether it came as one .p12 or as WeChat's two PEM
 * files: a certificate and a sane RSA private key that belong together, naming the 商户号,
 * valid at `now`.
 */
function checkCertificate(
	certs: forge.pki.Certificate[],
	keys: forge.pki.rsa.PrivateKey[],
	mchId: string,
	now: Date
): { ok: true; cert: P12Certificate; forgeCert: forge.pki.Certificate; forgeKey: forge.pki.rsa.PrivateKey } | Extract<P12Open, { ok: false }> {
	const fail = (key: P12Refusal, params?: Record<string, string | number>) => ({ ok: false as const, key, params });
	if (certs.length === 0) return fail('keys.wechat.certMissing');
	if (keys.length === 0) return fail('keys.wechat.certKeyMissing');
	for (const k of keys) {
		const issue = rsaShapeIssue(k.n.bitLength(), BigInt(`0x${k.e.toString(16)}`));
		if (issue) return issue;
	}
	// The merchant's own certificate is the one whose public key matches the private key.
	const matches = (c: forge.pki.Certificate, k: forge.pki.rsa.PrivateKey) => {
		const pub = c.publicKey as forge.pki.rsa.PublicKey;
		return !!pub?.n && k.n.equals(pub.n) && k.e.equals(pub.e);
	};
	const cert = certs.find((c) => keys.some((k) => matches(c, k)));
	if (!cert) return fail('keys.wechat.certKeyMismatch');
	const key = keys.find((k) => matches(cert, k))!;
	if (!namesMerchant(cert, mchId)) return fail('keys.wechat.certSubjectMismatch', { mchId, subject: subjectText(cert) });
	const { notBefore, notAfter } = cert.validity;
	if (notAfter.getTime() <= now.getTime()) return fail('keys.wechat.certExpired', { date: notAfter.toISOString() });
	if (notBefore.getTime() > now.getTime()) return fail('keys.wechat.certNotYetValid', { date: notBefore.toISOString() });
	const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
	return {
		ok: true,
		cert: { serialNumber: cert.serialNumber.toUpperCase(), subject: subjectText(cert), notBefore, notAfter, fingerprint: sha256Hex(der) },
		forgeCert: cert,
		forgeKey: key
	};
}

export type PemPairOpen = { ok: true; cert: P12Certificate; p12: Uint8Array } | Extract<P12Open, { ok: false }>;

/**
 * WeChat's two files, apiclient_cert.pem (退款证书) and apiclient_key.pem (私钥证书): checked as
 * a .p12 is, then packed into one PKCS#12 under `password` (3DES, 2048 iterations, as OpenSSL
 * writes apiclient_cert.p12), so the entry is stored and used exactly like an uploaded .p12.
 */
export function openPemPair(certPem: string, keyPem: string, password: string, mchId: string, now: Date): PemPairOpen {
	if (!guarded) throw new Error('openPemPair runs in the parse worker (guardForge not installed)');
	let cert: forge.pki.Certificate;
	try {
		cert = forge.pki.certificateFromPem(certPem);
	} catch {
		return { ok: false, key: 'keys.wechat.certCorrupt' };
	}
	let key: forge.pki.rsa.PrivateKey;
	try {
		key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
		if (!key || typeof key.n !== 'object') throw new Error('not an RSA key');
	} catch {
		return { ok: false, key: 'keys.wechat.privateKeyCorrupt' };
	}
	const checked = checkCertificate([cert], [key], mchId, now);
	if (!checked.ok) return checked;
	running = new P12Work();
	try {
		const asn1 = forge.pkcs12.toPkcs12Asn1(checked.forgeKey, [checked.forgeCert], password, { algorithm: '3des', count: 2048, generateLocalKeyId: true });
		return { ok: true, cert: checked.cert, p12: Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary') };
	} finally {
		running = null;
	}
}

/** The same fingerprint as crypto/secrets.ts publicFingerprint (not imported: see the top). */
function sha256Hex(der: Uint8Array): string {
	return createHash('sha256').update(der).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// RSA keys the way merchants paste them: PEM, or bare base64 DER (Alipay's console hands out
// bare base64), PKCS#1 or PKCS#8 private keys, SPKI or PKCS#1 public keys.

export type KeyParseFailure =
	/** Not a key at all. */
	| 'unreadable'
	/** A private key where a public key belongs, or the reverse. */
	| 'swapped'
	/** A passphrase-protected private key. */
	| 'encrypted'
	| 'notRsa'
	/** Modulus above MAX_RSA_BITS. */
	| 'tooLarge'
	/** Public exponent even, below 3, or above 2^32+1. */
	| 'badExponent';

export interface KeyFacts {
	bits: number;
	/** The public half as SPKI DER: what fingerprints are taken of. */
	spkiDer: Uint8Array;
	/** Normalized PEM: PKCS#8 for private keys, SPKI for public keys. */
	pem: string;
	fingerprint: string;
}

export type KeyRead = { ok: true; parsed: KeyFacts } | { ok: false; reason: KeyParseFailure; params?: { bits: number; max: number } };

/** Bounds the parsing work; the form fields carry the same limit (MAX_KEY_CHARS). */
const MAX_KEY_TEXT = 16 * 1024;
const BARE_BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

function isPem(text: string): boolean {
	return text.includes('-----BEGIN ');
}

function derOf(text: string): Buffer | null {
	if (!BARE_BASE64.test(text)) return null;
	const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
	return der.length > 0 ? der : null;
}

function isPassphraseError(e: unknown): boolean {
	const code = (e as { code?: string })?.code ?? '';
	const message = (e as Error)?.message ?? '';
	return code === 'ERR_MISSING_PASSPHRASE' || /passphrase|ENCRYPTED/i.test(message) || /ENCRYPTED/.test(String(e));
}

function tryPrivate(text: string): KeyObject | 'encrypted' | null {
	try {
		if (isPem(text)) return createPrivateKey({ key: text, format: 'pem' });
	} catch (e) {
		if (isPassphraseError(e)) return 'encrypted';
		return null;
	}
	const der = derOf(text);
	if (!der) return null;
	for (const type of ['pkcs8', 'pkcs1'] as const) {
		try {
			return createPrivateKey({ key: der, format: 'der', type });
		} catch {
			// try the next encoding
		}
	}
	return null;
}

function tryPublic(text: string): KeyObject | null {
	try {
		if (isPem(text)) return createPublicKey({ key: text, format: 'pem' });
	} catch {
		return null;
	}
	const der = derOf(text);
	if (!der) return null;
	for (const type of ['spki', 'pkcs1'] as const) {
		try {
			return createPublicKey({ key: der, format: 'der', type });
		} catch {
			// try the next encoding
		}
	}
	return null;
}

/** Size and exponent are checked before anything is done with the key. */
function describe(key: KeyObject): KeyRead {
	if (key.asymmetricKeyType !== 'rsa') return { ok: false, reason: 'notRsa' };
	const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	const shape = rsaShapeIssue(bits, key.asymmetricKeyDetails?.publicExponent ?? 0n);
	if (shape) return shape.key === 'keys.rsa.tooLarge' ? { ok: false, reason: 'tooLarge', params: { bits, max: MAX_RSA_BITS } } : { ok: false, reason: 'badExponent' };
	const publicKey = key.type === 'private' ? createPublicKey(key) : key;
	const spkiDer = publicKey.export({ format: 'der', type: 'spki' });
	const pem = (key.type === 'private' ? key.export({ format: 'pem', type: 'pkcs8' }) : key.export({ format: 'pem', type: 'spki' })) as string;
	return { ok: true, parsed: { bits, spkiDer, pem, fingerprint: sha256Hex(spkiDer) } };
}

/** A private key field: a public key pasted here is reported as swapped. */
export function readPrivateKey(input: string): KeyRead {
	const text = input.trim();
	if (!text || text.length > MAX_KEY_TEXT) return { ok: false, reason: 'unreadable' };
	const key = tryPrivate(text);
	if (key === 'encrypted' || (key === null && /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(text))) return { ok: false, reason: 'encrypted' };
	if (key) return describe(key);
	if (tryPublic(text)) return { ok: false, reason: 'swapped' };
	return { ok: false, reason: 'unreadable' };
}

/**
 * A public key field. Checked for a private key first: node derives a public key from a
 * private one without complaint, which would hide the mistake (and keep a private key).
 */
export function readPublicKey(input: string): KeyRead {
	const text = input.trim();
	if (!text || text.length > MAX_KEY_TEXT) return { ok: false, reason: 'unreadable' };
	const priv = tryPrivate(text);
	if (priv !== null || /PRIVATE KEY-----/.test(text)) return { ok: false, reason: 'swapped' };
	const key = tryPublic(text);
	if (!key) return { ok: false, reason: 'unreadable' };
	return describe(key);
}

const NODE_ALGORITHM: Record<VerifyAlgorithm, string> = { MD5withRSA: 'RSA-MD5', SHA256withRSA: 'RSA-SHA256' };

/**
 * PKCS#1 v1.5 signature check over the body's UTF-8 bytes, trying each algorithm in turn:
 * the first that verifies, or null (also for a malformed key or signature).
 */
export function verifySignature(publicKeyPem: string, body: string, signature: Uint8Array, algorithms: readonly VerifyAlgorithm[]): VerifyAlgorithm | null {
	let key: KeyObject;
	try {
		key = createPublicKey(publicKeyPem);
	} catch {
		return null;
	}
	if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? Infinity) > MAX_RSA_BITS) return null;
	for (const algorithm of algorithms) {
		try {
			if (createVerify(NODE_ALGORITHM[algorithm]).update(body, 'utf8').verify(key, signature)) return algorithm;
		} catch {
			// a malformed signature verifies under nothing
		}
	}
	return null;
}

/** What the worker runs, by name (parse-pool.ts sends the name and the arguments). */
export const parseTasks = {
	openP12,
	openPemPair,
	privateKey: readPrivateKey,
	publicKey: readPublicKey,
	verify: verifySignature
};
export type ParseTasks = typeof parseTasks;
