// Key material made by the tests themselves: RSA pairs in every encoding merchants paste,
// and WeChat-style apiclient_cert.p12 files (right/wrong password, expired, wrong subject).
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { Db } from '#db';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';

export interface RsaFixture {
	bits: number;
	privateKey: KeyObject;
	publicKey: KeyObject;
	pkcs1Pem: string;
	pkcs8Pem: string;
	spkiPem: string;
	pkcs1PublicPem: string;
	/** Bare base64 DER, as Alipay's console shows keys. */
	pkcs1Base64: string;
	pkcs8Base64: string;
	spkiBase64: string;
	pkcs1PublicBase64: string;
}

const pairs = new Map<string, RsaFixture>();

/** A fresh RSA pair per (bits, label), memoized so a file generates each once. */
export function rsa(bits: 512 | 1024 | 2048 | 3072, label = 'a'): RsaFixture {
	const id = `${bits}:${label}`;
	const hit = pairs.get(id);
	if (hit) return hit;
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
	const der = (k: KeyObject, type: 'pkcs1' | 'pkcs8' | 'spki') => (k.export({ format: 'der', type } as never) as Buffer).toString('base64');
	const pem = (k: KeyObject, type: 'pkcs1' | 'pkcs8' | 'spki') => k.export({ format: 'pem', type } as never) as string;
	const f: RsaFixture = {
		bits,
		privateKey,
		publicKey,
		pkcs1Pem: pem(privateKey, 'pkcs1'),
		pkcs8Pem: pem(privateKey, 'pkcs8'),
		spkiPem: pem(publicKey, 'spki'),
		pkcs1PublicPem: pem(publicKey, 'pkcs1'),
		pkcs1Base64: der(privateKey, 'pkcs1'),
		pkcs8Base64: der(privateKey, 'pkcs8'),
		spkiBase64: der(publicKey, 'spki'),
		pkcs1PublicBase64: der(publicKey, 'pkcs1')
	};
	pairs.set(id, f);
	return f;
}

export interface P12Options {
	mchId: string;
	password: string;
	/** Where the 商户号 goes in the subject; 'none' names someone else. */
	subjectField?: 'CN' | 'OU' | 'none';
	notBefore?: Date;
	notAfter?: Date;
	/** Leave the private key out of the file. */
	withoutKey?: boolean;
	/** Put a private key in the file that does not belong to the certificate. */
	foreignKey?: boolean;
	/** Leave the certificate out (a key-only PKCS#12). */
	withoutCert?: boolean;
	keyLabel?: string;
	/** The MAC and PBE iteration count (forge's default and WeChat's: 2048). */
	count?: number;
	/** The key pair inside (default: a real 2048-bit pair by keyLabel). */
	pair?: { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey };
}

const DAY = 86_400_000;

/** A WeChat-style apiclient_cert.p12, self-signed, 3DES like the files WeChat issues. */
export function makeP12(o: P12Options): Buffer {
	const { cert, key } = makeCertificate(o);
	const fileKey = o.withoutKey ? null : o.foreignKey ? (forge.pki.privateKeyFromPem(rsa(2048, 'foreign').pkcs1Pem) as forge.pki.rsa.PrivateKey) : key;
	const asn1 = forge.pkcs12.toPkcs12Asn1(fileKey, o.withoutCert ? [] : cert, o.password, {
		algorithm: '3des',
		count: o.count ?? 2048,
		// forge derives the local key id from the certificate, so a key-only file goes without one.
		generateLocalKeyId: !o.withoutCert
	});
	return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * WeChat's other way of handing out the same certificate: apiclient_cert.pem and
 * apiclient_key.pem (PKCS#8, or PKCS#1 with keyFormat 'pkcs1').
 */
export function makePemPair(o: Omit<P12Options, 'password'> & { keyFormat?: 'pkcs8' | 'pkcs1' }): { certPem: string; keyPem: string } {
	const { cert } = makeCertificate({ ...o, password: '' });
	const own = rsa(2048, o.keyLabel ?? 'cert');
	const keyOf = o.foreignKey ? rsa(2048, 'foreign') : own;
	return { certPem: forge.pki.certificateToPem(cert), keyPem: o.keyFormat === 'pkcs1' ? keyOf.pkcs1Pem : keyOf.pkcs8Pem };
}

function makeCertificate(o: P12Options): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
	const real = rsa(2048, o.keyLabel ?? 'cert');
	const realKey = forge.pki.privateKeyFromPem(real.pkcs1Pem) as forge.pki.rsa.PrivateKey;
	const key = o.pair?.privateKey ?? realKey;
	const cert = forge.pki.createCertificate();
	cert.publicKey = o.pair?.publicKey ?? forge.pki.publicKeyFromPem(real.spkiPem);
	cert.serialNumber = '5a' + randomBytes(8).toString('hex');
	cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - DAY);
	cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 365 * DAY);
	const subjectField = o.subjectField ?? 'CN';
	// Real apiclient certificates carry the company name in Chinese (UTF8String).
	const utf8 = (value: string) => ({ value, valueTagClass: forge.asn1.Type.UTF8 as never });
	const attrs: forge.pki.CertificateField[] = [
		{ shortName: 'CN', ...utf8(subjectField === 'CN' ? o.mchId : subjectField === 'OU' ? '测试商户有限公司' : '1999999999') },
		{ shortName: 'OU', ...utf8(subjectField === 'OU' ? o.mchId : '财付通支付科技有限公司') },
		{ shortName: 'O', value: 'Tenpay.com' },
		{ shortName: 'C', value: 'CN' }
	];
	cert.setSubject(attrs);
	cert.setIssuer([{ shortName: 'CN', value: 'Tenpay.com Root CA' }]);
	// Signed by the real key: a made-up pair could not sign (nothing checks this signature anyway).
	cert.sign(realKey, forge.md.sha256.create());
	return { cert, key };
}

export const WECHAT_MCH_ID = '1900009191';
export const WECHAT_APPID = 'wxd930ea5d5a258f4f';
export const API_KEY = 'Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk';
export const ALIPAY_PID = '2088101122136241';
export const ALIPAY_APPID = '2016073100135263';
export const MD5_KEY = 'mD5kEy0123456789abcdefGHIJKLMNOP';

/** The 微信支付 form as a merchant fills it in, with this certificate file and its password. */
export function wechatForm(p12: Buffer, certPassword: string, over: Record<string, unknown> = {}) {
	return { mchId: WECHAT_MCH_ID, appid: WECHAT_APPID, signType: 'RSA2' as const, apiKey: API_KEY, certPassword, certP12Base64: p12.toString('base64'), ...over };
}

/** The 支付宝 form: the merchant's private key (PKCS#8 PEM), Alipay's public key (SPKI PEM) and the MD5 key. */
export function alipayForm(over: Record<string, unknown> = {}) {
	return {
		pid: ALIPAY_PID,
		appid: ALIPAY_APPID,
		signType: 'RSA2' as const,
		privateKey: rsa(2048, 'merchant').pkcs8Pem,
		alipayPublicKey: rsa(2048, 'alipay').spkiPem,
		md5Key: MD5_KEY,
		...over
	};
}

/** A merchant and one of its staff, and the actor the key store records for that person. */
export async function merchantWithStaff(db: Db, name = '王操作') {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, { name });
	return {
		merchant,
		staff,
		merchantId: merchant.id,
		merchantNo: merchant.merchant_no,
		staffId: staff.id,
		actor: { merchantId: merchant.id, staffId: staff.id, actorName: name, ip: '127.0.0.1', userAgent: 'vitest' }
	};
}
