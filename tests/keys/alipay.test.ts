import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { parseAlipayUpload, validateAlipayKey, type AlipayExisting, type AlipayKeyFields } from '#shared/server/keys/alipay.ts';
import { parsePrivateKey, parsePublicKey } from '#shared/server/keys/rsa.ts';
import { fakeRsa } from './crafted.ts';
import { ALIPAY_APPID, ALIPAY_PID, MD5_KEY, rsa } from './fixtures.ts';

const merchant2048 = rsa(2048, 'merchant');
const alipay2048 = rsa(2048, 'alipay');
const merchant1024 = rsa(1024, 'merchant');
const alipay1024 = rsa(1024, 'alipay');

function form(over: Partial<AlipayKeyFields> = {}): AlipayKeyFields {
	return {
		pid: ALIPAY_PID,
		appid: ALIPAY_APPID,
		signType: 'RSA2',
		privateKey: merchant2048.pkcs8Base64,
		alipayPublicKey: alipay2048.spkiBase64,
		md5Key: MD5_KEY,
		...over
	};
}

/** What saving checks: the pasted keys parsed in the parse worker, then the form. */
async function validate(input: AlipayKeyFields, existing?: AlipayExisting) {
	return validateAlipayKey(input, await parseAlipayUpload(input), existing);
}

function issues(r: Awaited<ReturnType<typeof validate>>) {
	return r.ok ? [] : r.issues;
}

describe('parsePrivateKey / parsePublicKey', () => {
	const privateEncodings = ['pkcs1Pem', 'pkcs8Pem', 'pkcs1Base64', 'pkcs8Base64'] as const;
	const publicEncodings = ['spkiPem', 'pkcs1PublicPem', 'spkiBase64', 'pkcs1PublicBase64'] as const;

	for (const bits of [1024, 2048] as const)
		for (const enc of privateEncodings)
			it(`reads a ${bits}-bit private key as ${enc}, normalized to PKCS#8 with the SPKI fingerprint`, async () => {
				const f = rsa(bits, 'merchant');
				const r = await parsePrivateKey(enc.endsWith('Base64') ? wrap76(f[enc]) : f[enc]);
				if (!r.ok) throw new Error(r.reason);
				expect(r.parsed.bits).toBe(bits);
				expect(r.parsed.pem).toContain('-----BEGIN PRIVATE KEY-----');
				expect(r.parsed.spkiDer.toString('base64')).toBe(f.spkiBase64);
				expect(r.parsed.fingerprint).toMatch(/^[0-9a-f]{64}$/);
			});

	for (const enc of publicEncodings)
		it(`reads a public key as ${enc}, normalized to SPKI, same fingerprint as its private half`, async () => {
			const r = await parsePublicKey(merchant2048[enc]);
			if (!r.ok) throw new Error(r.reason);
			expect(r.parsed.bits).toBe(2048);
			expect(r.parsed.pem).toBe(merchant2048.spkiPem);
			const priv = await parsePrivateKey(merchant2048.pkcs1Pem);
			expect(priv.ok && priv.parsed.fingerprint).toBe(r.parsed.fingerprint);
		});

	it('says the keys are swapped when a public key is in the private field or the reverse', async () => {
		for (const enc of publicEncodings) expect(await parsePrivateKey(merchant2048[enc])).toEqual({ ok: false, reason: 'swapped' });
		for (const enc of privateEncodings) expect(await parsePublicKey(merchant2048[enc])).toEqual({ ok: false, reason: 'swapped' });
	});

	it('refuses garbage, an encrypted private key and a non-RSA key', async () => {
		for (const bad of ['', 'hello', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', 'QUJD', merchant2048.pkcs8Base64.slice(0, 200)])
			expect((await parsePrivateKey(bad)).ok).toBe(false);
		expect((await parsePublicKey('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA')).ok).toBe(false);
		const encrypted = createPrivateKey(merchant2048.pkcs8Pem).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
		expect(await parsePrivateKey(encrypted)).toEqual({ ok: false, reason: 'encrypted' });
		const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
		expect(await parsePrivateKey(ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toEqual({ ok: false, reason: 'notRsa' });
		expect(await parsePublicKey(ec.publicKey.export({ format: 'pem', type: 'spki' }) as string)).toEqual({ ok: false, reason: 'notRsa' });
	});
});

describe('key size and exponent bounds', () => {
	it('refuses keys over 4096 bits, saying the size, in either field; 4096 itself is read', async () => {
		const big = fakeRsa(8192);
		expect(await parsePrivateKey(big.pkcs8Pem)).toEqual({ ok: false, reason: 'tooLarge', params: { bits: 8192, max: 4096 } });
		expect(await parsePublicKey(big.spkiPem)).toEqual({ ok: false, reason: 'tooLarge', params: { bits: 8192, max: 4096 } });
		expect(await parsePublicKey(fakeRsa(4104).spkiPem)).toMatchObject({ ok: false, reason: 'tooLarge' });
		expect(await parsePublicKey(fakeRsa(4096).spkiPem)).toMatchObject({ ok: true, parsed: { bits: 4096 } });
	});

	it('refuses public exponents no key generator makes: even, 1, above 2^32+1', async () => {
		for (const e of [65_536n, 1n, 2n ** 32n + 3n, 2n ** 64n + 1n])
			expect(await parsePublicKey(fakeRsa(2048, e).spkiPem), String(e)).toEqual({ ok: false, reason: 'badExponent' });
		for (const e of [3n, 17n, 65_537n]) expect((await parsePublicKey(fakeRsa(2048, e).spkiPem)).ok, String(e)).toBe(true);
		expect(await parsePrivateKey(fakeRsa(2048, 65_536n).pkcs8Pem)).toEqual({ ok: false, reason: 'badExponent' });
	});

	it('words them under the field they were pasted in', async () => {
		expect(issues(await validate(form({ privateKey: fakeRsa(8192).pkcs8Pem, alipayPublicKey: fakeRsa(2048, 4n).spkiPem })))).toEqual([
			{ field: 'privateKey', key: 'keys.rsa.tooLarge', params: { bits: 8192, max: 4096 } },
			{ field: 'alipayPublicKey', key: 'keys.rsa.badExponent' }
		]);
	});
});

/** Alipay's console wraps bare base64 at 76 columns sometimes; pasting keeps the breaks. */
function wrap76(b64: string): string {
	return b64.replace(/(.{76})/g, '$1\n');
}

describe('validateAlipayKey', () => {
	it('accepts RSA2 with 2048-bit keys and RSA with 1024-bit keys, in any encoding', async () => {
		const r2 = await validate(form({ privateKey: merchant2048.pkcs1Pem, alipayPublicKey: alipay2048.spkiPem }));
		if (!r2.ok) throw new Error(JSON.stringify(r2.issues));
		expect(r2.value.privateKey?.bits).toBe(2048);
		expect(r2.value.alipayPublicKey?.bits).toBe(2048);
		expect(r2.value.md5Key).toBe(MD5_KEY);
		const r1 = await validate(form({ signType: 'RSA', privateKey: merchant1024.pkcs8Base64, alipayPublicKey: alipay1024.pkcs1PublicBase64, md5Key: undefined }));
		if (!r1.ok) throw new Error(JSON.stringify(r1.issues));
		expect(r1.value.privateKey?.bits).toBe(1024);
		expect(r1.value.md5Key).toBeUndefined();
	});

	it('refuses a key size that does not match 私钥类型, saying which size it found', async () => {
		expect(issues(await validate(form({ signType: 'RSA' })))).toEqual([
			{ field: 'privateKey', key: 'keys.privateKey.sizeMismatch', params: { signType: 'RSA', expected: 1024, bits: 2048 } },
			{ field: 'alipayPublicKey', key: 'keys.publicKey.sizeMismatch', params: { signType: 'RSA', expected: 1024, bits: 2048 } }
		]);
		expect(issues(await validate(form({ privateKey: merchant1024.pkcs1Pem })))).toEqual([
			{ field: 'privateKey', key: 'keys.privateKey.sizeMismatch', params: { signType: 'RSA2', expected: 2048, bits: 1024 } }
		]);
		expect(issues(await validate(form({ alipayPublicKey: rsa(3072).spkiPem })))).toEqual([
			{ field: 'alipayPublicKey', key: 'keys.publicKey.sizeMismatch', params: { signType: 'RSA2', expected: 2048, bits: 3072 } }
		]);
	});

	it('says when the private and public keys are swapped', async () => {
		expect(issues(await validate(form({ privateKey: alipay2048.spkiPem, alipayPublicKey: merchant2048.pkcs8Pem })))).toEqual([
			{ field: 'privateKey', key: 'keys.privateKey.isPublic' },
			{ field: 'alipayPublicKey', key: 'keys.publicKey.isPrivate' }
		]);
	});

	it('refuses the merchant’s own public key where Alipay’s belongs', async () => {
		expect(issues(await validate(form({ alipayPublicKey: merchant2048.spkiBase64 })))).toEqual([
			{ field: 'alipayPublicKey', key: 'keys.alipay.publicKeyIsOwn' }
		]);
	});

	const fieldCases: [string, Partial<AlipayKeyFields>, string][] = [
		['a PID not starting with 2088', { pid: '2089101122136241' }, 'keys.alipay.pidInvalid'],
		['a 15-digit PID', { pid: '208810112213624' }, 'keys.alipay.pidInvalid'],
		['a 15-digit appid', { appid: '201607310013526' }, 'keys.alipay.appidInvalid'],
		['an appid with letters', { appid: '20160731001352ab' }, 'keys.alipay.appidInvalid'],
		['a 31-character md5Key', { md5Key: MD5_KEY.slice(1) }, 'keys.alipay.md5KeyInvalid'],
		['an md5Key with symbols', { md5Key: MD5_KEY.slice(1) + '+' }, 'keys.alipay.md5KeyInvalid'],
		['no private key', { privateKey: undefined }, 'keys.alipay.privateKeyRequired'],
		['no Alipay public key', { alipayPublicKey: '  ' }, 'keys.alipay.publicKeyRequired'],
		['an unreadable private key', { privateKey: 'not a key' }, 'keys.privateKey.unreadable'],
		['an unreadable public key', { alipayPublicKey: 'MIIB' }, 'keys.publicKey.unreadable'],
		['a sign type other than RSA/RSA2', { signType: 'DSA' as never }, 'keys.signTypeInvalid']
	];
	for (const [name, over, key] of fieldCases)
		it(`refuses ${name} (${key})`, async () => {
			expect(issues(await validate(form(over))).map((i) => i.key)).toEqual([key]);
		});

	it('on an edit, checks kept keys by their saved size and fingerprint, without the values', async () => {
		const saved = await parsePrivateKey(merchant2048.pkcs8Pem);
		const savedPublic = await parsePublicKey(alipay2048.spkiPem);
		if (!saved.ok || !savedPublic.ok) throw new Error('fixture');
		const existing = {
			pid: ALIPAY_PID,
			privateKeyBits: 2048,
			privateKeyFingerprint: saved.parsed.fingerprint,
			alipayPublicKeyBits: 2048,
			alipayPublicKeyFingerprint: savedPublic.parsed.fingerprint
		};
		const keep = await validate(form({ privateKey: undefined, alipayPublicKey: undefined, md5Key: undefined, appid: '2016073100135264' }), existing);
		expect(keep.ok && keep.value).toMatchObject({ appid: '2016073100135264', privateKey: undefined, alipayPublicKey: undefined });
		// Switching to RSA without new keys: the saved 2048-bit keys no longer fit.
		expect(issues(await validate(form({ signType: 'RSA', privateKey: undefined, alipayPublicKey: undefined }), existing)).map((i) => i.key)).toEqual([
			'keys.privateKey.sizeMismatch',
			'keys.publicKey.sizeMismatch'
		]);
		// A new Alipay public key that is the pair of the kept private key.
		expect(issues(await validate(form({ privateKey: undefined, alipayPublicKey: merchant2048.pkcs1PublicPem }), existing)).map((i) => i.key)).toEqual([
			'keys.alipay.publicKeyIsOwn'
		]);
		expect(issues(await validate(form({ pid: '2088101122136242' }), existing)).map((i) => i.key)).toEqual(['keys.externalIdImmutable']);
	});

	it('has zh and en text for every message it can return', () => {
		const keys = [
			...fieldCases.map((c) => c[2]),
			'keys.privateKey.sizeMismatch',
			'keys.publicKey.sizeMismatch',
			'keys.privateKey.isPublic',
			'keys.publicKey.isPrivate',
			'keys.privateKey.encrypted',
			'keys.privateKey.notRsa',
			'keys.publicKey.notRsa',
			'keys.alipay.publicKeyIsOwn',
			'keys.alipay.duplicate',
			'keys.rsa.tooLarge',
			'keys.rsa.badExponent',
			'keys.parseTimeout',
			'keys.parseBusy'
		];
		for (const k of keys) {
			const m = (messages as Record<string, { zh: string; en: string }>)[k];
			expect(m?.zh, k).toBeTruthy();
			expect(m?.en, k).toBeTruthy();
		}
		expect(messages['keys.privateKey.isPublic'].zh).toContain('公钥和私钥填反了');
	});
});

describe('tRPC input schemas (src/lib/schemas/keys.ts)', () => {
	it('turn blank secrets into "keep the saved one" and carry catalogue keys as messages', async () => {
		const { alipayKeyInput, wechatKeyInput, verifySignatureInput } = await import('#shared/schemas/keys.ts');
		const w = wechatKeyInput.parse({ id: 5n, mchId: ' 1900009191 ', appid: WECHAT_APPID_FOR_SCHEMA, signType: 'RSA', apiKey: '   ', certPassword: '' });
		expect(w).toMatchObject({ id: 5n, mchId: '1900009191', apiKey: undefined, certPassword: undefined });
		expect(w.certP12Base64).toBeUndefined();
		const bad = wechatKeyInput.safeParse({ mchId: '1', appid: 'x', signType: 'MD5' });
		expect(bad.success ? [] : bad.error.issues.map((i) => i.message)).toEqual(['keys.signTypeInvalid']);
		const a = alipayKeyInput.parse({ pid: ALIPAY_PID, appid: ALIPAY_APPID, signType: 'RSA2', privateKey: merchant2048.pkcs8Pem, md5Key: '' });
		expect(a.md5Key).toBeUndefined();
		expect(alipayKeyInput.safeParse({ pid: ALIPAY_PID, appid: ALIPAY_APPID, signType: 'RSA2', privateKey: 'x'.repeat(20_000) }).success).toBe(false);
		expect(verifySignatureInput.parse({ body: 'a=1', signature: ' c2ln ' })).toEqual({ body: 'a=1', signature: 'c2ln', algorithm: 'auto' });
	});
});

const WECHAT_APPID_FOR_SCHEMA = 'wxd930ea5d5a258f4f';
