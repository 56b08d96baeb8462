import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openApiclientCert, openWechatUpload, validateWechatKey, type WechatKeyFields, type WechatValidationContext } from '#shared/server/keys/wechat.ts';
import { messages } from '#shared/i18n/messages.ts';
import { fakeRsa, hiddenBombP12, patchedP12 } from './crafted.ts';
import { API_KEY, makeP12, WECHAT_APPID, WECHAT_MCH_ID } from './fixtures.ts';

const DAY = 86_400_000;
const now = new Date();
const goodP12 = makeP12({ mchId: WECHAT_MCH_ID, password: WECHAT_MCH_ID });

function form(over: Partial<WechatKeyFields> = {}): WechatKeyFields {
	return {
		mchId: WECHAT_MCH_ID,
		appid: WECHAT_APPID,
		signType: 'RSA2',
		apiKey: API_KEY,
		certP12Base64: goodP12.toString('base64'),
		...over
	};
}

/** What saving checks: the certificate opened in the parse worker, then the form. */
async function validate(input: WechatKeyFields, ctx: WechatValidationContext = {}) {
	return validateWechatKey(input, await openWechatUpload(input, now), ctx);
}

function issueKeys(r: Awaited<ReturnType<typeof validate>>): string[] {
	return r.ok ? [] : r.issues.map((i) => i.key);
}

const cases: [string, () => ReturnType<typeof openApiclientCert>, string][] = [
	['wrong password', () => openApiclientCert(goodP12, 'not-the-password', WECHAT_MCH_ID, now), 'keys.wechat.certPasswordWrong'],
	['random bytes', () => openApiclientCert(randomBytes(1500), WECHAT_MCH_ID, WECHAT_MCH_ID, now), 'keys.wechat.certCorrupt'],
	['truncated file', () => openApiclientCert(goodP12.subarray(0, goodP12.length >> 1), WECHAT_MCH_ID, WECHAT_MCH_ID, now), 'keys.wechat.certCorrupt'],
	['a PEM instead of a .p12', () => openApiclientCert(Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), WECHAT_MCH_ID, WECHAT_MCH_ID, now), 'keys.wechat.certCorrupt'],
	['no certificate', () => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', withoutCert: true }), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certMissing'],
	['no private key', () => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', withoutKey: true }), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certKeyMissing'],
	['a key that is not the certificate’s', () => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', foreignKey: true }), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certKeyMismatch'],
	['another merchant’s certificate', () => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', subjectField: 'none' }), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certSubjectMismatch'],
	['certificate for a different 商户号', () => openApiclientCert(goodP12, WECHAT_MCH_ID, '1900009192', now), 'keys.wechat.certSubjectMismatch'],
	[
		'expired',
		() => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', notBefore: new Date(Date.now() - 800 * DAY), notAfter: new Date(Date.now() - DAY) }), 'p', WECHAT_MCH_ID, now),
		'keys.wechat.certExpired'
	],
	[
		'not yet valid',
		() => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', notBefore: new Date(Date.now() + 2 * DAY) }), 'p', WECHAT_MCH_ID, now),
		'keys.wechat.certNotYetValid'
	],
	['over 64 KB', () => openApiclientCert(Buffer.concat([goodP12, randomBytes(70_000)]), WECHAT_MCH_ID, WECHAT_MCH_ID, now), 'keys.wechat.certTooLarge'],
	// BER with indefinite lengths: 2 bytes a level, 20,000 levels deep in 40 KB.
	['ASN.1 nested 20,000 deep', () => openApiclientCert(Buffer.from('3080'.repeat(20_000), 'hex'), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certCorrupt'],
	['a MAC iteration count of 2^31-1', () => openApiclientCert(patchedP12({ mchId: WECHAT_MCH_ID, password: 'p' }, { mac: 2 ** 31 - 1 }), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certIterationsTooHigh'],
	['a MAC iteration count of 10,001', () => openApiclientCert(patchedP12({ mchId: WECHAT_MCH_ID, password: 'p' }, { mac: 10_001 }), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certIterationsTooHigh'],
	['a key bag PBE count of 2^31-1', () => openApiclientCert(patchedP12({ mchId: WECHAT_MCH_ID, password: 'p' }, { keyBag: 2 ** 31 - 1 }), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certIterationsTooHigh'],
	['a bag of 2^31-1 inside the encrypted safe', () => openApiclientCert(hiddenBombP12({ mchId: WECHAT_MCH_ID, password: 'p' }, 2 ** 31 - 1), 'p', WECHAT_MCH_ID, now), 'keys.wechat.certIterationsTooHigh'],
	['an 8192-bit key pair', () => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', pair: fakeRsa(8192).forge }), 'p', WECHAT_MCH_ID, now), 'keys.rsa.tooLarge'],
	['a key pair with an even public exponent', () => openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', pair: fakeRsa(2048, 65_536n).forge }), 'p', WECHAT_MCH_ID, now), 'keys.rsa.badExponent']
];

describe('openApiclientCert', () => {
	it('opens a certificate naming the 商户号 in CN or OU and reads its validity', async () => {
		const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * DAY);
		const notAfter = new Date(Math.floor(Date.now() / 1000) * 1000 + 400 * DAY);
		for (const subjectField of ['CN', 'OU'] as const) {
			const file = makeP12({ mchId: WECHAT_MCH_ID, password: 'pw-123', subjectField, notBefore, notAfter });
			const r = await openApiclientCert(file, 'pw-123', WECHAT_MCH_ID, now);
			if (!r.ok) throw new Error(`refused: ${r.issue.key}`);
			expect(r.cert.notBefore.getTime()).toBe(notBefore.getTime());
			expect(r.cert.notAfter.getTime()).toBe(notAfter.getTime());
			expect(r.cert.subject).toContain(`${subjectField}=${WECHAT_MCH_ID}`);
			expect(r.cert.subject).toContain(subjectField === 'CN' ? 'OU=财付通支付科技有限公司' : 'CN=测试商户有限公司');
			expect(r.cert.fingerprint).toMatch(/^[0-9a-f]{64}$/);
			expect(r.cert.serialNumber).toMatch(/^5A[0-9A-F]{16}$/);
			expect(r.cert.expiresSoon).toBe(false);
		}
	});

	for (const [name, run, key] of cases)
		it(`refuses ${name} with ${key}`, async () => {
			const r = await run();
			expect(r.ok ? 'accepted' : r.issue.key).toBe(key);
		});

	it('opens a file at 10,000 iterations (the bound), as real tools may write', async () => {
		const r = await openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', count: 10_000 }), 'p', WECHAT_MCH_ID, now);
		expect(r.ok ? 'opened' : r.issue.key).toBe('opened');
	});

	it('names the subject it found when the certificate belongs to someone else', async () => {
		const r = await openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', subjectField: 'none' }), 'p', WECHAT_MCH_ID, now);
		expect(r.ok ? 'opened' : r.issue.params).toMatchObject({ mchId: WECHAT_MCH_ID, subject: expect.stringContaining('CN=1999999999') });
	});

	it('flags expiresSoon with under 30 days left, not with more', async () => {
		const soon = await openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', notAfter: new Date(Date.now() + 29 * DAY) }), 'p', WECHAT_MCH_ID, now);
		const later = await openApiclientCert(makeP12({ mchId: WECHAT_MCH_ID, password: 'p', notAfter: new Date(Date.now() + 31 * DAY) }), 'p', WECHAT_MCH_ID, now);
		expect(soon.ok && soon.cert.expiresSoon).toBe(true);
		expect(later.ok && !later.cert.expiresSoon).toBe(true);
	});
});

describe('validateWechatKey', () => {
	it('accepts a complete entry; the certificate password defaults to the 商户号', async () => {
		const r = await validate(form({ mchId: ` ${WECHAT_MCH_ID} `, certPassword: undefined }));
		if (!r.ok) throw new Error(JSON.stringify(r.issues));
		expect(r.value.mchId).toBe(WECHAT_MCH_ID);
		expect(r.value.cert?.password).toBe(WECHAT_MCH_ID);
		expect(r.value.apiKey).toBe(API_KEY);
	});

	it('uses the given certificate password, and refuses a wrong one on the password field', async () => {
		const file = makeP12({ mchId: WECHAT_MCH_ID, password: 'Custom-Pass' });
		const ok = await validate(form({ certP12Base64: file.toString('base64'), certPassword: 'Custom-Pass' }));
		expect(ok.ok && ok.value.cert?.password).toBe('Custom-Pass');
		const bad = await validate(form({ certP12Base64: file.toString('base64') }));
		expect(bad.ok ? [] : bad.issues).toEqual([{ field: 'certPassword', key: 'keys.wechat.certPasswordWrong' }]);
	});

	const fieldCases: [string, Partial<WechatKeyFields>, string][] = [
		['a 7-digit 商户号', { mchId: '1900009' }, 'keys.wechat.mchIdInvalid'],
		['an 11-digit 商户号', { mchId: '19000091910' }, 'keys.wechat.mchIdInvalid'],
		['letters in the 商户号', { mchId: '19000a9191' }, 'keys.wechat.mchIdInvalid'],
		['an appid without wx', { appid: 'xxd930ea5d5a258f4f' }, 'keys.wechat.appidInvalid'],
		['an appid with upper case hex', { appid: 'wxD930EA5D5A258F4F' }, 'keys.wechat.appidInvalid'],
		['a short appid', { appid: 'wxd930ea5d5a258f4' }, 'keys.wechat.appidInvalid'],
		['an appid with non-hex', { appid: 'wxd678efh567hg6787' }, 'keys.wechat.appidInvalid'],
		['a 31-character API key', { apiKey: API_KEY.slice(1) }, 'keys.wechat.apiKeyInvalid'],
		['an API key with symbols', { apiKey: API_KEY.slice(1) + '-' }, 'keys.wechat.apiKeyInvalid'],
		['no API key', { apiKey: undefined }, 'keys.wechat.apiKeyRequired'],
		['no certificate', { certP12Base64: undefined }, 'keys.wechat.certRequired'],
		['a certificate that is not base64', { certP12Base64: '%%%not base64%%%' }, 'keys.wechat.certCorrupt'],
		['a sign type other than RSA/RSA2', { signType: 'MD5' as never }, 'keys.signTypeInvalid']
	];
	for (const [name, over, key] of fieldCases)
		it(`refuses ${name} (${key})`, async () => {
			expect(issueKeys(await validate(form(over)))).toEqual([key]);
		});

	it('lists every problem at once', async () => {
		const r = await validate(form({ appid: 'bad', apiKey: 'short', certP12Base64: randomBytes(100).toString('base64') }));
		expect(issueKeys(r).sort()).toEqual(['keys.wechat.apiKeyInvalid', 'keys.wechat.appidInvalid', 'keys.wechat.certCorrupt']);
	});

	it('on an edit, leaves out secrets that are not resent, keeps the 商户号 fixed, and wants the file with a new password', async () => {
		const existing = { mchId: WECHAT_MCH_ID };
		const keep = await validate(form({ apiKey: undefined, certP12Base64: undefined, signType: 'RSA' }), { existing });
		expect(keep.ok && keep.value).toMatchObject({ signType: 'RSA', apiKey: undefined, cert: undefined });
		expect(issueKeys(await validate(form({ mchId: '1900009192' }), { existing }))).toEqual(['keys.externalIdImmutable']);
		expect(issueKeys(await validate(form({ certP12Base64: undefined, certPassword: 'new' }), { existing }))).toEqual([
			'keys.wechat.certPasswordWithoutCert'
		]);
	});

	it('has zh and en text for every message it can return', () => {
		const keys = [...cases.map((c) => c[2]), ...fieldCases.map((c) => c[2]), 'keys.wechat.certPasswordWithoutCert', 'keys.externalIdImmutable'];
		for (const k of keys) {
			const m = (messages as Record<string, { zh: string; en: string }>)[k];
			expect(m?.zh, k).toBeTruthy();
			expect(m?.en, k).toBeTruthy();
		}
	});
});
