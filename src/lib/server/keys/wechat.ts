// 微信: the merchant entry and its refund certificate, opened on upload: the single
// apiclient_cert.p12 (certificate and private key, opened with its password), or WeChat's two
// files, apiclient_cert.pem in 退款证书 and apiclient_key.pem in 私钥证书, which are checked the
// same way and packed into one .p12, so every entry is stored and used alike. Both are opened
// in the parse worker (parse-core.ts openP12 / openPemPair), never on this thread.
import {
	EXPIRY_WARNING_DAYS,
	MAX_CERT_BYTES,
	WECHAT_API_KEY,
	WECHAT_APPID,
	WECHAT_MCH_ID,
	type KeyIssue,
	type SignType
} from '#shared/schemas/keys.ts';
import type { P12Certificate, P12Refusal } from './parse-core.ts';
import { parsePool, type ParseRefusal } from './parse-pool.ts';
import { decodeBase64, refused, type Validated } from './validation.ts';

const DAY_MS = 86_400_000;

export interface OpenedCertificate extends P12Certificate {
	expiresSoon: boolean;
}

export type CertRefusal =
	| P12Refusal
	| ParseRefusal
	| 'keys.wechat.certTooLarge'
	| 'keys.wechat.privateKeyRequired'
	| 'keys.wechat.privateKeyWithP12';

export type CertOpen = { ok: true; cert: OpenedCertificate } | { ok: false; issue: Omit<KeyIssue, 'field'> & { key: CertRefusal } };

export function expiresSoon(notAfter: Date, now: Date): boolean {
	return notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * DAY_MS;
}

/**
 * Opens the PKCS#12 with its password and checks it is a usable refund certificate for
 * `mchId` at `now`. Each failure names what is wrong so the merchant knows what to fix; a
 * file asking for more hashing than any real certificate is refused before any is done.
 */
export async function openApiclientCert(file: Buffer, password: string, mchId: string, now: Date = new Date()): Promise<CertOpen> {
	if (file.length > MAX_CERT_BYTES) return { ok: false, issue: { key: 'keys.wechat.certTooLarge' } };
	const r = await parsePool.run('openP12', file, password, mchId, now);
	if (!r.ok) return { ok: false, issue: { key: r.refusal } };
	if (!r.value.ok) return { ok: false, issue: { key: r.value.key, params: r.value.params } };
	return { ok: true, cert: { ...r.value.cert, expiresSoon: expiresSoon(r.value.cert.notAfter, now) } };
}

/** The form's fields after zod (src/lib/schemas/keys.ts wechatKeyInput); secrets may be absent on an edit. */
export interface WechatKeyFields {
	mchId: string;
	appid: string;
	signType: SignType;
	apiKey?: string;
	certPassword?: string;
	/** base64 of the 退款证书 file: apiclient_cert.p12, or apiclient_cert.pem beside a 私钥证书 */
	certP12Base64?: string;
	/** 私钥证书: apiclient_key.pem, as text (only with a PEM certificate) */
	certKeyPem?: string;
}

export interface WechatKeyValue {
	mchId: string;
	appid: string;
	signType: SignType;
	/** Present when (re)placed. */
	apiKey?: string;
	cert?: OpenedCertificate & { file: Buffer; password: string };
}

/**
 * The uploaded certificate as openWechatUpload found it (`file`: the .p12 to store, as uploaded or
 * packed from the two PEM files); undefined when none was checked.
 */
export type WechatUpload = { file: Buffer; password: string; opened: CertOpen } | undefined;

/** A PEM certificate (apiclient_cert.pem) rather than a PKCS#12 file. */
function pemCertificate(file: Buffer): string | null {
	const text = file.toString('utf8').replace(/^\uFEFF/, '').trim();
	return text.startsWith('-----BEGIN CERTIFICATE-----') ? text : null;
}

/**
 * The slow part of validateWechatKey, done before any transaction (it waits on the parse
 * worker): the uploaded .p12 opened with its password. The certificate is only checked
 * against a well-formed 商户号.
 */
export async function openWechatUpload(input: WechatKeyFields, now: Date = new Date()): Promise<WechatUpload> {
	const mchId = input.mchId.trim();
	if (!input.certP12Base64 || !WECHAT_MCH_ID.test(mchId)) return undefined;
	// 退款证书密码 defaults to the 商户号, as WeChat issues the file.
	const password = input.certPassword === undefined || input.certPassword === '' ? mchId : input.certPassword;
	const file = decodeBase64(input.certP12Base64);
	if (!file) return { file: Buffer.alloc(0), password, opened: { ok: false, issue: { key: 'keys.wechat.certCorrupt' } } };
	if (file.length > MAX_CERT_BYTES) return { file, password, opened: { ok: false, issue: { key: 'keys.wechat.certTooLarge' } } };
	const certPem = pemCertificate(file);
	const keyPem = input.certKeyPem?.trim() || undefined;
	if (certPem === null) {
		// One .p12 carries the private key itself; a second key file would be ignored, so say so.
		if (keyPem) return { file, password, opened: { ok: false, issue: { key: 'keys.wechat.privateKeyWithP12' } } };
		return { file, password, opened: await openApiclientCert(file, password, mchId, now) };
	}
	if (!keyPem) return { file, password, opened: { ok: false, issue: { key: 'keys.wechat.privateKeyRequired' } } };
	const r = await parsePool.run('openPemPair', certPem, keyPem, password, mchId, now);
	if (!r.ok) return { file, password, opened: { ok: false, issue: { key: r.refusal } } };
	if (!r.value.ok) return { file, password, opened: { ok: false, issue: { key: r.value.key, params: r.value.params } } };
	const packed = Buffer.from(r.value.p12);
	return { file: packed, password, opened: { ok: true, cert: { ...r.value.cert, expiresSoon: expiresSoon(r.value.cert.notAfter, now) } } };
}

/** Which form field a certificate refusal belongs to. */
function certIssueField(key: CertRefusal): string {
	if (key === 'keys.wechat.certPasswordWrong') return 'certPassword';
	if (key === 'keys.wechat.privateKeyRequired' || key === 'keys.wechat.privateKeyWithP12' || key === 'keys.wechat.privateKeyCorrupt' || key === 'keys.wechat.certKeyMismatch')
		return 'certKey';
	return 'certP12';
}

export interface WechatValidationContext {
	/** An edit: what is already saved. Missing secrets keep the saved ones. */
	existing?: { mchId: string };
}

/** Checks the form against `upload` (openWechatUpload of the same input) and, on an edit, what is saved. */
export function validateWechatKey(input: WechatKeyFields, upload: WechatUpload, ctx: WechatValidationContext = {}): Validated<WechatKeyValue> {
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
		if (input.certKeyPem?.trim()) issues.push({ field: 'certKey', key: 'keys.wechat.privateKeyWithoutCert' });
	} else if (mchIdOk) {
		if (!upload) throw new Error('validateWechatKey: the certificate was not opened (openWechatUpload)');
		const { opened } = upload;
		if (!opened.ok) issues.push({ field: certIssueField(opened.issue.key), ...opened.issue });
		else cert = { ...opened.cert, file: upload.file, password: upload.password };
	}

	if (issues.length) return refused(issues);
	return { ok: true, value: { mchId, appid, signType: input.signType, apiKey: apiKey || undefined, cert } };
}
