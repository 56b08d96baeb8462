// Hostile key material, made the way an attacker would: PKCS#12 files whose iteration counts
// are patched into the ASN.1 after forge wrote them (forge itself would hash 2^31 times to
// write them honestly), a .p12 hiding its bomb inside an encrypted safe behind a valid MAC,
// and RSA keys with made-up numbers (no primes needed to claim 8192 bits).
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { makeP12, type P12Options } from './fixtures.ts';

const { asn1 } = forge;
const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';

type Node = forge.asn1.Asn1;
const kids = (n: Node) => n.value as Node[];
const der = (n: Node) => asn1.toDer(n).getBytes();
const parse = (bytes: string) => asn1.fromDer(bytes, false);
const oid = (n: Node) => asn1.derToOid(n.value as string);
const int = (n: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const seq = (...v: Node[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, v);
const oidNode = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (v: Node) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [v]);

/** An INTEGER's content bytes for `count`: a JS number up to 2^31-1, or raw big-endian bytes for more. */
function countBytes(count: number | Buffer): string {
	return typeof count === 'number' ? asn1.integerToDer(count).getBytes() : count.toString('binary');
}

/** The SafeContents DERs of a forge-written PFX (its authSafe: Data ContentInfos only). */
function safeContentsOf(pfx: Node): Node[] {
	const authSafe = parse(kids(kids(kids(pfx)[1])[1])[0].value as string);
	return kids(authSafe).map((info) => parse(kids(kids(info)[1])[0].value as string));
}

const dataInfo = (safe: Node) => seq(oidNode(OID_DATA), explicit0(octets(der(safe))));

/** Every shrouded key bag's PBE iteration INTEGER in a SafeContents. */
function keyBagCounts(safe: Node): Node[] {
	return kids(safe)
		.filter((bag) => oid(kids(bag)[0]) === OID_SHROUDED_KEY_BAG)
		// SafeBag { bagId, [0] EncryptedPrivateKeyInfo { AlgorithmIdentifier { oid, pkcs-12PbeParams { salt, iterations } }, data } }
		.map((bag) => kids(kids(kids(kids(kids(bag)[1])[0])[0])[1])[1]);
}

export interface IterationPatch {
	/** MacData.iterations */
	mac?: number | Buffer;
	/** The shrouded key bag's PBE iterations. */
	keyBag?: number | Buffer;
	/** Repeat the shrouded key bag this many times (each one is decrypted). */
	keyBagCopies?: number;
}

/** MacData for `authSafe` under `password`: HMAC-SHA1 with the PKCS#12 MAC key, as OpenSSL writes it. */
function macData(password: string, authSafe: string, iterations: number): Node {
	const salt = forge.random.getBytesSync(8);
	const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, iterations, 20);
	const hmac = forge.hmac.create();
	hmac.start('sha1', key);
	hmac.update(authSafe);
	const algorithm = seq(oidNode(forge.pki.oids.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
	return seq(seq(algorithm, octets(hmac.digest().getBytes())), octets(salt), int(iterations));
}

/**
 * A real apiclient-style .p12 (makeP12) with its iteration counts rewritten in the ASN.1.
 * A changed key bag gets a MAC recomputed for the password (an attacker knows the password
 * of the file they upload), so forge passes the MAC check and goes on to the bag.
 */
export function patchedP12(o: P12Options, patch: IterationPatch): Buffer {
	const pfx = parse(makeP12(o).toString('binary'));
	if (patch.keyBag !== undefined || patch.keyBagCopies) {
		const safes = safeContentsOf(pfx);
		for (const safe of safes) {
			const bags = kids(safe);
			const keyBag = bags.find((bag) => oid(kids(bag)[0]) === OID_SHROUDED_KEY_BAG);
			if (keyBag) for (let i = 1; i < (patch.keyBagCopies ?? 1); i++) bags.push(parse(der(keyBag)));
			if (patch.keyBag !== undefined) for (const count of keyBagCounts(safe)) count.value = countBytes(patch.keyBag);
		}
		const authSafe = der(seq(...safes.map(dataInfo)));
		kids(kids(pfx)[1])[1] = explicit0(octets(authSafe));
		kids(pfx)[2] = macData(o.password, authSafe, o.count ?? 2048);
	}
	if (patch.mac !== undefined) kids(kids(pfx)[2])[2].value = countBytes(patch.mac);
	return Buffer.from(der(pfx), 'binary');
}

/**
 * The bomb an iteration check on the visible ASN.1 cannot see: the shrouded key bag (2^31-1
 * iterations) sits inside an encrypted safe, and the MAC is right for `password`, so forge
 * verifies it, decrypts the safe, and only then meets the bag.
 */
export function hiddenBombP12(o: P12Options, keyBagIterations: number): Buffer {
	const honest = 2048;
	const bags = safeContentsOf(parse(makeP12(o).toString('binary'))).flatMap(kids);
	const safe = seq(...bags);
	for (const count of keyBagCounts(safe)) count.value = countBytes(keyBagIterations);

	// EncryptedData with pbeWithSHAAnd3-KeyTripleDES-CBC, as OpenSSL writes a certificate safe.
	const salt = forge.random.getBytesSync(8);
	const pbe = (forge.pki as unknown as { pbe: { generatePkcs12Key(p: string, s: forge.util.ByteBuffer, id: number, iter: number, n: number): forge.util.ByteBuffer } }).pbe;
	const key = pbe.generatePkcs12Key(o.password, forge.util.createBuffer(salt), 1, honest, 24);
	const iv = pbe.generatePkcs12Key(o.password, forge.util.createBuffer(salt), 2, honest, 8);
	const cipher = forge.cipher.createCipher('3DES-CBC', key);
	cipher.start({ iv });
	cipher.update(forge.util.createBuffer(der(safe)));
	cipher.finish();
	const encryptedInfo = seq(
		oidNode('1.2.840.113549.1.7.6'),
		explicit0(
			seq(
				int(0),
				seq(
					oidNode(OID_DATA),
					seq(oidNode('1.2.840.113549.1.12.1.3'), seq(octets(salt), int(honest))),
					asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, cipher.output.getBytes())
				)
			)
		)
	);
	const authSafe = der(seq(encryptedInfo));
	const pfx = seq(int(3), seq(oidNode(OID_DATA), explicit0(octets(authSafe))), macData(o.password, authSafe, honest));
	return Buffer.from(der(pfx), 'binary');
}

function randomOdd(bits: number): Buffer {
	const b = randomBytes(Math.ceil(bits / 8));
	b[0] |= 0x80;
	b[b.length - 1] |= 1;
	return b;
}

function bigBytes(n: bigint): Buffer {
	const hex = n.toString(16);
	return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/**
 * An RSA key that claims `bits` bits and exponent `e`: made-up numbers, no primes (OpenSSL
 * parses and exports such a key without checking). PEM encodings, as a merchant would paste.
 */
export function fakeRsa(bits: number, e = 65537n) {
	const b64 = (b: Buffer) => b.toString('base64url');
	const n = randomOdd(bits);
	const half = (k: number) => b64(randomOdd(bits / 2 - k));
	const jwk = { kty: 'RSA', n: b64(n), e: b64(bigBytes(e)), d: b64(randomOdd(bits - 8)), p: half(0), q: half(0), dp: half(8), dq: half(8), qi: half(8) };
	const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
	const publicKey = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
	const big = (b: string) => new forge.jsbn.BigInteger(Buffer.from(b, 'base64url').toString('hex'), 16);
	return {
		pkcs8Pem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
		spkiPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
		/** The same numbers as forge keys, for a .p12 (makeP12's `pair`). */
		forge: {
			privateKey: forge.pki.setRsaPrivateKey(big(jwk.n), big(jwk.e), big(jwk.d), big(jwk.p), big(jwk.q), big(jwk.dp), big(jwk.dq), big(jwk.qi)),
			publicKey: forge.pki.setRsaPublicKey(big(jwk.n), big(jwk.e))
		}
	};
}
