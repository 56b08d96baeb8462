// 支付宝: the partner entry. Keys are parsed on save; their size must match 私钥类型.
import {
	ALIPAY_APPID,
	ALIPAY_MD5_KEY,
	ALIPAY_PID,
	RSA_BITS,
	type KeyIssue,
	type SignType
} from '#shared/schemas/keys.ts';
import { commonKeyIssue, parsePrivateKey, parsePublicKey, type KeyParse, type ParsedKey } from './rsa.ts';
import { refused, type Validated } from './validation.ts';

/** The form's fields after zod (alipayKeyInput); secrets may be absent on an edit. */
export interface AlipayKeyFields {
	pid: string;
	appid: string;
	signType: SignType;
	privateKey?: string;
	alipayPublicKey?: string;
	md5Key?: string;
}

export interface AlipayKeyValue {
	pid: string;
	appid: string;
	signType: SignType;
	/** Present when (re)placed; `pem` is normalized PKCS#8. */
	privateKey?: ParsedKey;
	/** Present when (re)placed; `pem` is normalized SPKI. */
	alipayPublicKey?: ParsedKey;
	md5Key?: string;
}

/** What an edit keeps: enough to re-check sizes and pairing without decrypting anything. */
export interface AlipayExisting {
	pid: string;
	privateKeyBits?: number;
	/** SHA-256 of the SPKI of the saved private key's public half. */
	privateKeyFingerprint?: string;
	alipayPublicKeyBits?: number;
	alipayPublicKeyFingerprint?: string;
}

const PRIVATE_FAILURE: Record<'unreadable' | 'swapped' | 'encrypted' | 'notRsa', KeyIssue['key']> = {
	unreadable: 'keys.privateKey.unreadable',
	swapped: 'keys.privateKey.isPublic',
	encrypted: 'keys.privateKey.encrypted',
	notRsa: 'keys.privateKey.notRsa'
};
const PUBLIC_FAILURE: typeof PRIVATE_FAILURE = {
	unreadable: 'keys.publicKey.unreadable',
	swapped: 'keys.publicKey.isPrivate',
	encrypted: 'keys.publicKey.isPrivate',
	notRsa: 'keys.publicKey.notRsa'
};

function keyIssue(field: string, r: Extract<KeyParse, { ok: false }>, words: typeof PRIVATE_FAILURE): KeyIssue {
	return commonKeyIssue(field, r) ?? { field, key: words[r.reason as keyof typeof words] ?? words.unreadable };
}

/** The keys pasted into the form, parsed (in the parse worker); absent ones stay absent. */
export interface AlipayUpload {
	privateKey?: KeyParse;
	alipayPublicKey?: KeyParse;
}

/** The slow part of validateAlipayKey, done before any transaction (it waits on the parse worker). */
export async function parseAlipayUpload(input: Pick<AlipayKeyFields, 'privateKey' | 'alipayPublicKey'>): Promise<AlipayUpload> {
	const [privateKey, alipayPublicKey] = await Promise.all([
		input.privateKey?.trim() ? parsePrivateKey(input.privateKey) : undefined,
		input.alipayPublicKey?.trim() ? parsePublicKey(input.alipayPublicKey) : undefined
	]);
	return { privateKey, alipayPublicKey };
}

/** Checks the form against `upload` (parseAlipayUpload of the same input) and, on an edit, what is saved. */
export function validateAlipayKey(input: AlipayKeyFields, upload: AlipayUpload, existing?: AlipayExisting): Validated<AlipayKeyValue> {
	const issues: KeyIssue[] = [];
	const pid = input.pid.trim();
	const appid = input.appid.trim();
	const adding = !existing;
	const signTypeOk = input.signType === 'RSA' || input.signType === 'RSA2';

	if (!ALIPAY_PID.test(pid)) issues.push({ field: 'pid', key: 'keys.alipay.pidInvalid' });
	else if (existing && existing.pid !== pid) issues.push({ field: 'pid', key: 'keys.externalIdImmutable' });
	if (!ALIPAY_APPID.test(appid)) issues.push({ field: 'appid', key: 'keys.alipay.appidInvalid' });
	if (!signTypeOk) issues.push({ field: 'signType', key: 'keys.signTypeInvalid' });
	const expected = signTypeOk ? RSA_BITS[input.signType] : undefined;
	const sizeParams = (bits: number) => ({ signType: input.signType, expected: expected ?? '', bits });

	let privateKey: ParsedKey | undefined;
	if (input.privateKey?.trim()) {
		const r = parsed(upload.privateKey);
		if (!r.ok) issues.push(keyIssue('privateKey', r, PRIVATE_FAILURE));
		else privateKey = r.parsed;
	} else if (adding) issues.push({ field: 'privateKey', key: 'keys.alipay.privateKeyRequired' });
	const privateBits = privateKey?.bits ?? existing?.privateKeyBits;
	if (expected && privateBits !== undefined && privateBits !== expected)
		issues.push({ field: 'privateKey', key: 'keys.privateKey.sizeMismatch', params: sizeParams(privateBits) });

	let alipayPublicKey: ParsedKey | undefined;
	if (input.alipayPublicKey?.trim()) {
		const r = parsed(upload.alipayPublicKey);
		if (!r.ok) issues.push(keyIssue('alipayPublicKey', r, PUBLIC_FAILURE));
		else alipayPublicKey = r.parsed;
	} else if (adding) issues.push({ field: 'alipayPublicKey', key: 'keys.alipay.publicKeyRequired' });
	const publicBits = alipayPublicKey?.bits ?? existing?.alipayPublicKeyBits;
	if (expected && publicBits !== undefined && publicBits !== expected)
		issues.push({ field: 'alipayPublicKey', key: 'keys.publicKey.sizeMismatch', params: sizeParams(publicBits) });

	// The commonest mix-up: pasting one's own 应用公钥 where Alipay's public key belongs.
	const privateFp = privateKey?.fingerprint ?? existing?.privateKeyFingerprint;
	const publicFp = alipayPublicKey?.fingerprint ?? existing?.alipayPublicKeyFingerprint;
	if ((privateKey || alipayPublicKey) && privateFp && privateFp === publicFp)
		issues.push({ field: 'alipayPublicKey', key: 'keys.alipay.publicKeyIsOwn' });

	const md5Key = input.md5Key?.trim() || undefined;
	if (md5Key !== undefined && !ALIPAY_MD5_KEY.test(md5Key)) issues.push({ field: 'md5Key', key: 'keys.alipay.md5KeyInvalid' });

	if (issues.length) return refused(issues);
	return { ok: true, value: { pid, appid, signType: input.signType, privateKey, alipayPublicKey, md5Key } };
}

function parsed(r: KeyParse | undefined): KeyParse {
	if (!r) throw new Error('validateAlipayKey: a pasted key was not parsed (parseAlipayUpload)');
	return r;
}
