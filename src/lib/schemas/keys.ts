// 参数管理 (payment keys): field formats, tRPC inputs and the safe views the browser gets.
// Shared by the server and the forms; no node:* imports here. Messages are catalogue keys.
import { z } from 'zod';
import type { MessageKey } from '../i18n/messages.ts';
import { idSchema, text } from './common.ts';

export const SIGN_TYPES = ['RSA', 'RSA2'] as const;
export type SignType = (typeof SIGN_TYPES)[number];
/** Alipay: RSA is the legacy 1024-bit key, RSA2 the 2048-bit one. */
export const RSA_BITS: Record<SignType, number> = { RSA: 1024, RSA2: 2048 };
export const PLATFORM_KEY_BITS = [1024, 2048] as const;

const KEY_PROVIDERS = ['WECHAT', 'ALIPAY'] as const;
export type KeyProvider = (typeof KEY_PROVIDERS)[number];
export type KeyStatus = 'ENABLED' | 'DISABLED';

export const WECHAT_MCH_ID = /^[0-9]{8,10}$/;
/** "wx" + 16 lowercase hex digits, as the WeChat open platform issues them. */
export const WECHAT_APPID = /^wx[0-9a-f]{16}$/;
/** The APIv2 key (商户平台 → API安全 → API密钥). */
export const WECHAT_API_KEY = /^[A-Za-z0-9]{32}$/;
export const ALIPAY_PID = /^2088[0-9]{12}$/;
export const ALIPAY_APPID = /^[0-9]{16}$/;
export const ALIPAY_MD5_KEY = /^[A-Za-z0-9]{32}$/;

/** Certificates within this many days of 证书失效时间 are flagged on the list and the home page. */
export const EXPIRY_WARNING_DAYS = 30;
/** apiclient_cert.p12 files are a few KB; anything near this is not one. */
export const MAX_CERT_BYTES = 64 * 1024;
/** A 4096-bit PEM private key is ~3.3 KB; this bounds parsing work. */
export const MAX_KEY_CHARS = 16 * 1024;
const MAX_VERIFY_BODY_CHARS = 1024 * 1024;

/** One refusal: the form field it belongs to, the catalogue key and its placeholders. */
export interface KeyIssue {
	field: string;
	key: MessageKey;
	params?: Record<string, string | number>;
}

/** Pasted keys span lines; the other secrets are single-line but gain nothing from a stricter rule. */
const optionalSecret = (max: number) =>
	text({ multiline: true })
		.max(max, 'error.badInput')
		.optional()
		.transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/**
 * 添加/编辑微信商户号. Secrets left out on an edit keep their saved value; the certificate
 * arrives as base64 of the .p12 file, or as WeChat's two PEM files (证书 + 私钥证书).
 * 退款证书密码 defaults to the 商户号.
 */
export const wechatKeyInput = z.object({
	id: idSchema.optional(),
	mchId: text({ trim: true }).max(32, 'keys.wechat.mchIdInvalid'),
	appid: text({ trim: true }).max(64, 'keys.wechat.appidInvalid'),
	signType: z.enum(SIGN_TYPES, 'keys.signTypeInvalid'),
	apiKey: optionalSecret(256),
	certPassword: optionalSecret(128),
	/** 退款证书: base64 of apiclient_cert.p12, or of apiclient_cert.pem when 私钥证书 is given too. */
	certP12Base64: optionalSecret(Math.ceil((MAX_CERT_BYTES * 4) / 3) + 8),
	/** 私钥证书: apiclient_key.pem as text, beside a PEM 退款证书. */
	certKeyPem: optionalSecret(MAX_KEY_CHARS)
});
export type WechatKeyInput = z.input<typeof wechatKeyInput>;

/** 添加/编辑合作者身份(PID). */
export const alipayKeyInput = z.object({
	id: idSchema.optional(),
	pid: text({ trim: true }).max(32, 'keys.alipay.pidInvalid'),
	appid: text({ trim: true }).max(32, 'keys.alipay.appidInvalid'),
	signType: z.enum(SIGN_TYPES, 'keys.signTypeInvalid'),
	privateKey: optionalSecret(MAX_KEY_CHARS),
	alipayPublicKey: optionalSecret(MAX_KEY_CHARS),
	md5Key: optionalSecret(256)
});
export type AlipayKeyInput = z.input<typeof alipayKeyInput>;

export const setKeyStatusInput = z.object({ id: idSchema, status: z.enum(['ENABLED', 'DISABLED']) });
export const listKeysInput = z.object({ provider: z.enum(KEY_PROVIDERS) });

/** 商户公钥, pasted or read from an uploaded .pem in the browser. */
export const platformPublicKeyInput = z.object({ publicKey: text({ multiline: true }).max(MAX_KEY_CHARS, 'keys.publicKey.unreadable') });

export const VERIFY_ALGORITHMS = ['MD5withRSA', 'SHA256withRSA'] as const;
export type VerifyAlgorithm = (typeof VERIFY_ALGORITHMS)[number];

/** 签名验证: the request body exactly as sent, and its base64 signature. */
export const verifySignatureInput = z.object({
	body: z.string().max(MAX_VERIFY_BODY_CHARS, 'error.badInput'),
	signature: text({ trim: true }).max(4096, 'keys.verify.signatureMalformed'),
	algorithm: z.enum([...VERIFY_ALGORITHMS, 'auto']).default('auto')
});

/** A secret as the browser sees it: whether it is set and its fingerprint, never the value. */
export interface SecretView {
	set: boolean;
	/** Full lowercase hex SHA-256 (of the public part) or HMAC-SHA256 (of a symmetric secret). */
	fingerprint: string | null;
}

interface CertificateView {
	serialNumber: string;
	subject: string;
	/** 证书开始时间 / 证书失效时间 */
	notBefore: Date;
	notAfter: Date;
	/** SHA-256 of the certificate (DER). */
	fingerprint: string;
}

export interface PaymentKeyView {
	id: bigint;
	provider: KeyProvider;
	/** 微信商户号 / 合作者身份(PID) */
	externalId: string;
	appid: string;
	signType: SignType;
	status: KeyStatus;
	validFrom: Date | null;
	validTo: Date | null;
	expired: boolean;
	/** Less than EXPIRY_WARNING_DAYS left. */
	expiresSoon: boolean;
	/** WECHAT: apiKey, certP12, certPassword. ALIPAY: privateKey, md5Key. */
	secrets: Record<string, SecretView>;
	certificate: CertificateView | null;
	/** ALIPAY: the bit size of the saved 商户私钥. */
	privateKeyBits: number | null;
	/** ALIPAY: 支付宝公钥 is public; shown in full so it can be compared with Alipay's console. */
	alipayPublicKey: { pem: string; bits: number; fingerprint: string } | null;
	createdAt: Date;
	updatedAt: Date;
	/** 操作人 */
	updatedBy: { id: bigint; name: string } | null;
}

export interface PlatformKeyView {
	merchantNo: string;
	/** 签名方式 */
	signType: 'RSA';
	/** 商户公钥 (public; shown in full). */
	merchantPublicKey: { pem: string; bits: number; fingerprint: string } | null;
	/** The platform's public key offered by 连连公钥下载. */
	platformPublicKeyPem: string;
	platformPublicKeyFingerprint: string;
	updatedAt: Date | null;
	updatedBy: { id: bigint; name: string } | null;
}

export interface VerifyResult {
	valid: boolean;
	/** Which algorithm verified the signature; null when none did. */
	algorithm: VerifyAlgorithm | null;
}
