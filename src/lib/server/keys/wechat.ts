// 微信: the merchant entry and its apiclient_cert.p12, opened with its password on upload.
import forge from 'node-forge';
import {
	EXPIRY_WARNING_DAYS,
	MAX_CERT_BYTES,
	WECHAT_API_KEY,
	WECHAT_APPID,
	WECHAT_MCH_ID,
	type KeyIssue,
	type SignType
} from '../../schemas/keys.ts';
import { publicFingerprint } from '../crypto/secrets.ts';
import { decodeBase64, refused, type Validated } from './validation.ts';

const DAY_MS = 86_400_000;

export interface OpenedCertificate {
	serialNumber: string;
	/** "CN=…, OU=…, O=…" */
	subject: string;
	notBefore: Date;
	notAfter: Date;
	/** SHA-256 of the certificate DER. */
	fingerprint: string;
	expiresSoon: boolean;
}

export type CertRefusal =
	| 'keys.wechat.certCorrupt'
	| 'keys.wechat.certTooLarge'
	| 'keys.wechat.certPasswordWrong'
	| 'keys.wechat.certMissing'
	| 'keys.wechat.certKeyMissing'
	| 'keys.wechat.certKeyMismatch'
	| 'keys.wechat.certSubjectMismatch'
	| 'keys.wechat.certExpired'
	| 'keys.wechat.certNotYetValid';

export type CertOpen = { ok: true; cert: OpenedCertificate } | { ok: false; issue: Omit<KeyIssue, 'field'> & { key: CertRefusal } };

export function expiresSoon(notAfter: Date, now: Date): boolean {
	return notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * DAY_MS;
}

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

/**
 * Opens the PKCS#12 with its password and checks it is a usable refund certificate for
 * `mchId` at `now`. Each failure names what is wrong so the merchant knows what to fix.
 */
export function openApiclientCert(file: Buffer, password: string, mchId: string, now: Date = new Date()): CertOpen {
	const fail = (key: CertRefusal, params?: Record<string, string | number>): CertOpen => ({ ok: false, issue: { key, params } });
	if (file.length > MAX_CERT_BYTES) return fail('keys.wechat.certTooLarge');
	let asn1: forge.asn1.Asn1;
	try {
		asn1 = forge.asn1.fromDer(forge.util.createBuffer(file.toString('binary')));
	} catch {
		return fail('keys.wechat.certCorrupt');
	}
	let p12: forge.pkcs12.Pkcs12Pfx;
	try {
		p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
	} catch (e) {
		// forge reports a failed MAC check (the usual wrong-password symptom) by this text.
		if (/MAC could not be verified|Invalid password/i.test((e as Error)?.message ?? '')) return fail('keys.wechat.certPasswordWrong');
		return fail('keys.wechat.certCorrupt');
	}
	const certs = bagsOf(p12, forge.pki.oids.certBag)
		.map((b) => b.cert)
		.filter((c): c is forge.pki.Certificate => !!c);
	if (certs.length === 0) return fail('keys.wechat.certMissing');
	const keys = [...bagsOf(p12, forge.pki.oids.pkcs8ShroudedKeyBag), ...bagsOf(p12, forge.pki.oids.keyBag)]
		.map((b) => b.key as forge.pki.rsa.PrivateKey | undefined)
		.filter((k): k is forge.pki.rsa.PrivateKey => !!k && typeof k.n === 'object');
	if (keys.length === 0) return fail('keys.wechat.certKeyMissing');
	// The merchant's own certificate is the one whose public key matches the private key.
	const cert = certs.find((c) => {
		const pub = c.publicKey as forge.pki.rsa.PublicKey;
		return keys.some((k) => pub?.n && k.n.equals(pub.n) && k.e.equals(pub.e));
	});
	if (!cert) return fail('keys.wechat.certKeyMismatch');
	if (!namesMerchant(cert, mchId)) return fail('keys.wechat.certSubjectMismatch', { mchId, subject: subjectText(cert) });
	const { notBefore, notAfter } = cert.validity;
	if (notAfter.getTime() <= now.getTime()) return fail('keys.wechat.certExpired', { date: notAfter.toISOString() });
	if (notBefore.getTime() > now.getTime()) return fail('keys.wechat.certNotYetValid', { date: notBefore.toISOString() });
	const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
	return {
		ok: true,
		cert: {
			serialNumber: cert.serialNumber.toUpperCase(),
			subject: subjectText(cert),
			notBefore,
			notAfter,
			fingerprint: publicFingerprint(der),
			expiresSoon: expiresSoon(notAfter, now)
		}
	};
}

/** The form's fields after zod (src/lib/schemas/keys.ts wechatKeyInput); secrets may be absent on an edit. */
export interface WechatKeyFields {
	mchId: string;
	appid: string;
	signType: SignType;
	apiKey?: string;
	certPassword?: string;
	/** base64 of apiclient_cert.p12 */
	certP12Base64?: string;
}

export interface WechatKeyValue {
	mchId: string;
	appid: string;
	signType: SignType;
	/** Present when (re)placed. */
	apiKey?: string;
	cert?: OpenedCertificate & { file: Buffer; password: string };
}

export interface WechatValidationContext {
	now?: Date;
	/** An edit: what is already saved. Missing secrets keep the saved ones. */
	existing?: { mchId: string };
}

export function validateWechatKey(input: WechatKeyFields, ctx: WechatValidationContext = {}): Validated<WechatKeyValue> {
	const now = ctx.now ?? new Date();
	const issues: KeyIssue[] = [];
	const mchId = input.mchId.trim();
	const appid = input.appid.trim();
	const adding = !ctx.existing;

	// The certificate is checked against the 商户号, so only against a valid, unchanged one.
	let mchIdOk = false;
	if (!WECHAT_MCH_ID.test(mchId)) issues.push({ field: 'mchId', key: 'keys.wechat.mchIdInvalid' });
	else if (ctx.existing && ctx.existing.mchId !== mchId) issues.push({ field: 'mchId', key: 'keys.externalIdImmutable' });
	else mchIdOk = true;
	if (!WECHAT_APPID.test(appid)) issues.push({ field: 'appid', key: 'keys.wechat.appidInvalid' });
	if (input.signType !== 'RSA' && input.signType !== 'RSA2') issues.push({ field: 'signType', key: 'keys.signTypeInvalid' });

	const apiKey = input.apiKey?.trim();
	if (apiKey === undefined || apiKey === '') {
		if (adding) issues.push({ field: 'apiKey', key: 'keys.wechat.apiKeyRequired' });
	} else if (!WECHAT_API_KEY.test(apiKey)) issues.push({ field: 'apiKey', key: 'keys.wechat.apiKeyInvalid' });

	let cert: WechatKeyValue['cert'];
	const password = input.certPassword === undefined || input.certPassword === '' ? undefined : input.certPassword;
	if (!input.certP12Base64) {
		if (adding) issues.push({ field: 'certP12', key: 'keys.wechat.certRequired' });
		else if (password !== undefined) issues.push({ field: 'certPassword', key: 'keys.wechat.certPasswordWithoutCert' });
	} else if (mchIdOk) {
		const file = decodeBase64(input.certP12Base64);
		// 退款证书密码 defaults to the 商户号, as WeChat issues the file.
		const effectivePassword = password ?? mchId;
		const opened = file ? openApiclientCert(file, effectivePassword, mchId, now) : null;
		if (!opened) issues.push({ field: 'certP12', key: 'keys.wechat.certCorrupt' });
		else if (!opened.ok)
			issues.push({ field: opened.issue.key === 'keys.wechat.certPasswordWrong' ? 'certPassword' : 'certP12', ...opened.issue });
		else cert = { ...opened.cert, file: file!, password: effectivePassword };
	}

	if (issues.length) return refused(issues);
	return { ok: true, value: { mchId, appid, signType: input.signType, apiKey: apiKey || undefined, cert } };
}
