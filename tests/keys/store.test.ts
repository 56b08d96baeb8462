import { createSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { isSecretBox, type SecretBox } from '#shared/server/crypto/secrets.ts';
import { KeyInputError, KeyNotFoundError } from '#shared/server/keys/errors.ts';
import { getKey, listExpiringKeys, listKeys, readKeySecrets, saveAlipayKey, saveWechatKey, setKeyStatus } from '#shared/server/keys/payment-keys.ts';
import { getPlatformKey, setPlatformPublicKey, verifyMerchantSignature } from '#shared/server/keys/platform-key.ts';
import { expectNoSecret, type Secret } from '../fixtures/secrets.ts';
import { ALIPAY_APPID, ALIPAY_PID, API_KEY, makeP12, MD5_KEY, merchantWithStaff, rsa, WECHAT_APPID, WECHAT_MCH_ID, wechatForm } from './fixtures.ts';

const db = getDb();
const DAY = 86_400_000;
const CERT_PASSWORD = 'Cert-Pass-7731';
const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: CERT_PASSWORD });
const merchantKey = rsa(2048, 'merchant');
const alipayKey = rsa(2048, 'alipay');

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

function expectNoLeak(where: string, value: unknown, secrets: Secret[]) {
	expectNoSecret(where, json(value), secrets);
}

const wechatInput = (over: Record<string, unknown> = {}) => wechatForm(p12, CERT_PASSWORD, over);

function alipayInput(over: Record<string, unknown> = {}) {
	return {
		pid: ALIPAY_PID,
		appid: ALIPAY_APPID,
		signType: 'RSA2' as const,
		privateKey: merchantKey.pkcs1Pem,
		alipayPublicKey: alipayKey.spkiBase64,
		md5Key: MD5_KEY,
		...over
	};
}

async function auditRows(merchantId: bigint) {
	return db.selectFrom('audit_log').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute();
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
	try {
		await p;
	} catch (e) {
		return e;
	}
	throw new Error('expected a refusal');
}

let m: Awaited<ReturnType<typeof merchantWithStaff>>;
let other: Awaited<ReturnType<typeof merchantWithStaff>>;
beforeAll(async () => {
	m = await merchantWithStaff(db, '王操作');
	other = await merchantWithStaff(db, '别家');
});

describe('saving every kind of secret', () => {
	it('returns, lists and audits no secret bytes — raw, base64 or hex — and no ciphertext', async () => {
		const wechat = await saveWechatKey(db, m.actor, wechatInput());
		const alipay = await saveAlipayKey(db, m.actor, alipayInput());
		const platform = await setPlatformPublicKey(db, m.actor, rsa(2048, 'platform-merchant').spkiPem);
		const rows = await db.selectFrom('payment_keys').select('secret_fields').where('merchant_id', '=', m.merchantId).execute();
		const boxes = rows.flatMap((r) => Object.values(r.secret_fields)).filter(isSecretBox);
		expect(boxes.length).toBe(5);
		const secrets: (string | Buffer)[] = [
			API_KEY,
			CERT_PASSWORD,
			p12,
			MD5_KEY,
			merchantKey.pkcs1Pem,
			merchantKey.pkcs8Pem,
			merchantKey.pkcs1Base64,
			merchantKey.pkcs8Base64,
			...boxes.flatMap((b) => [b.data, b.tag, b.iv])
		];
		const seen = {
			wechat,
			alipay,
			platform,
			wechatList: await listKeys(db, m.merchantId, 'WECHAT'),
			alipayList: await listKeys(db, m.merchantId, 'ALIPAY'),
			got: await getKey(db, m.merchantId, wechat.id),
			disabled: await setKeyStatus(db, m.actor, alipay.id, 'DISABLED'),
			edited: await saveWechatKey(db, m.actor, { id: wechat.id, mchId: WECHAT_MCH_ID, appid: WECHAT_APPID, signType: 'RSA' }),
			platformView: await getPlatformKey(db, m.merchantId),
			audit: await auditRows(m.merchantId)
		};
		expectNoLeak('views and audit rows', seen, secrets);
		// The check itself can fail: the secret store does hold exactly these values.
		expectNoLeak('sanity', { a: 'nothing' }, secrets);
		expect(() => expectNoLeak('sanity', { s: p12.toString('base64') }, [p12])).toThrow(/leaks/);
		expect(() => expectNoLeak('sanity', { s: merchantKey.pkcs8Base64 }, [merchantKey.pkcs8Pem])).toThrow(/leaks/);
		expect(() => expectNoLeak('sanity', { s: `x${API_KEY}x` }, [API_KEY])).toThrow(/leaks/);
		expect(() => expectNoLeak('sanity', { s: Buffer.from(MD5_KEY).toString('hex') }, [MD5_KEY])).toThrow(/leaks/);
	});
});

describe('WeChat entries', () => {
	it('saves: 已设置 flags, fingerprints, certificate dates; secrets decrypt server-side', async () => {
		const me = await merchantWithStaff(db);
		const view = await saveWechatKey(db, me.actor, wechatInput());
		expect(view).toMatchObject({
			provider: 'WECHAT',
			externalId: WECHAT_MCH_ID,
			appid: WECHAT_APPID,
			signType: 'RSA2',
			status: 'ENABLED',
			expired: false,
			expiresSoon: false,
			updatedBy: { id: me.staffId, name: '王操作' }
		});
		for (const f of ['apiKey', 'certP12', 'certPassword']) {
			expect(view.secrets[f].set, f).toBe(true);
			expect(view.secrets[f].fingerprint, f).toMatch(/^[0-9a-f]{64}$/);
		}
		expect(view.certificate?.fingerprint).toBe(view.secrets.certP12.fingerprint);
		expect(view.validTo?.getTime()).toBe(view.certificate?.notAfter.getTime());
		const plain = await readKeySecrets(db, me.merchantId, view.id);
		expect(plain.apiKey.toString()).toBe(API_KEY);
		expect(plain.certPassword.toString()).toBe(CERT_PASSWORD);
		expect(plain.certP12.equals(p12)).toBe(true);
		const [a] = await auditRows(me.merchantId);
		expect(a).toMatchObject({ action: 'keys.wechat.create', staff_id: me.staffId, actor_name: '王操作', target_type: 'payment_key', target_id: String(view.id), ip: '127.0.0.1' });
		expect(a.detail).toMatchObject({ externalId: WECHAT_MCH_ID, replacedSecrets: ['apiKey', 'certP12', 'certPassword'], fingerprints: { apiKey: view.secrets.apiKey.fingerprint } });
	});

	it('edits keep secrets that are not resent; a resent one replaces only itself', async () => {
		const me = await merchantWithStaff(db);
		const first = await saveWechatKey(db, me.actor, wechatInput());
		const before = await db.selectFrom('payment_keys').select('secret_fields').where('id', '=', first.id).executeTakeFirstOrThrow();
		const kept = await saveWechatKey(db, me.actor, { id: first.id, mchId: WECHAT_MCH_ID, appid: 'wx0123456789abcdef', signType: 'RSA' });
		expect(kept.appid).toBe('wx0123456789abcdef');
		expect(kept.secrets).toEqual(first.secrets);
		const afterKeep = await db.selectFrom('payment_keys').select('secret_fields').where('id', '=', first.id).executeTakeFirstOrThrow();
		expect(afterKeep.secret_fields).toEqual(before.secret_fields);

		const newKey = 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp';
		const replaced = await saveWechatKey(db, me.actor, { id: first.id, mchId: WECHAT_MCH_ID, appid: WECHAT_APPID, signType: 'RSA2', apiKey: newKey });
		expect(replaced.secrets.apiKey.fingerprint).not.toBe(first.secrets.apiKey.fingerprint);
		expect(replaced.secrets.certP12).toEqual(first.secrets.certP12);
		const afterReplace = await db.selectFrom('payment_keys').select('secret_fields').where('id', '=', first.id).executeTakeFirstOrThrow();
		expect(afterReplace.secret_fields.certP12).toEqual(before.secret_fields.certP12);
		expect(afterReplace.secret_fields.apiKey).not.toEqual(before.secret_fields.apiKey);
		expect((await readKeySecrets(db, me.merchantId, first.id)).apiKey.toString()).toBe(newKey);
		const actions = (await auditRows(me.merchantId)).map((r) => [r.action, (r.detail as { replacedSecrets: string[] }).replacedSecrets]);
		expect(actions).toEqual([
			['keys.wechat.create', ['apiKey', 'certP12', 'certPassword']],
			['keys.wechat.update', []],
			['keys.wechat.update', ['apiKey']]
		]);
	});

	it('refuses bad input with every issue, writing nothing', async () => {
		const me = await merchantWithStaff(db);
		const e = await rejection(saveWechatKey(db, me.actor, wechatInput({ appid: 'wx123', certPassword: 'wrong' })));
		expect(e).toBeInstanceOf(KeyInputError);
		expect((e as KeyInputError).issues.map((i) => i.key)).toEqual(['keys.wechat.appidInvalid', 'keys.wechat.certPasswordWrong']);
		expect((e as KeyInputError).message).toBe('keys.wechat.appidInvalid');
		expect(await listKeys(db, me.merchantId, 'WECHAT')).toEqual([]);
		expect(await auditRows(me.merchantId)).toEqual([]);
	});

	it('refuses the same 商户号 twice for one merchant, but another merchant may add it', async () => {
		const me = await merchantWithStaff(db);
		const you = await merchantWithStaff(db);
		await saveWechatKey(db, me.actor, wechatInput());
		const e = await rejection(saveWechatKey(db, me.actor, wechatInput()));
		expect((e as KeyInputError).issues).toEqual([{ field: 'mchId', key: 'keys.wechat.duplicate' }]);
		await expect(saveWechatKey(db, you.actor, wechatInput())).resolves.toMatchObject({ externalId: WECHAT_MCH_ID });
	});

	it('flags certificates with under 30 days left on the list and in listExpiringKeys (enabled only)', async () => {
		const me = await merchantWithStaff(db);
		const soon = makeP12({ mchId: '1900000001', password: '1900000001', notAfter: new Date(Date.now() + 10 * DAY) });
		const later = makeP12({ mchId: '1900000002', password: '1900000002', notAfter: new Date(Date.now() + 200 * DAY) });
		const a = await saveWechatKey(db, me.actor, wechatInput({ mchId: '1900000001', certPassword: undefined, certP12Base64: soon.toString('base64') }));
		await saveWechatKey(db, me.actor, wechatInput({ mchId: '1900000002', certPassword: undefined, certP12Base64: later.toString('base64') }));
		expect(a.expiresSoon).toBe(true);
		const list = await listKeys(db, me.merchantId, 'WECHAT');
		expect(list.map((k) => [k.externalId, k.expiresSoon])).toEqual([
			['1900000002', false],
			['1900000001', true]
		]);
		expect((await listExpiringKeys(db, me.merchantId)).map((k) => k.externalId)).toEqual(['1900000001']);
		// Seen 25 days later the first one has expired; a disabled entry stops nagging.
		const later25 = new Date(Date.now() + 25 * DAY);
		expect((await getKey(db, me.merchantId, a.id, new Date(Date.now() + 11 * DAY))).expired).toBe(true);
		expect((await listExpiringKeys(db, me.merchantId, later25)).map((k) => k.externalId)).toEqual(['1900000001']);
		await setKeyStatus(db, me.actor, a.id, 'DISABLED');
		expect(await listExpiringKeys(db, me.merchantId)).toEqual([]);
	});
});

describe('Alipay entries', () => {
	it('saves the keys normalized, keeps them on edit, and re-checks kept key sizes against a new 私钥类型', async () => {
		const me = await merchantWithStaff(db);
		const view = await saveAlipayKey(db, me.actor, alipayInput({ md5Key: undefined }));
		expect(view.secrets.privateKey.set).toBe(true);
		expect(view.secrets.md5Key).toEqual({ set: false, fingerprint: null });
		expect(view.privateKeyBits).toBe(2048);
		expect(view.alipayPublicKey).toMatchObject({ pem: alipayKey.spkiPem, bits: 2048 });
		expect((await readKeySecrets(db, me.merchantId, view.id)).privateKey.toString()).toBe(merchantKey.pkcs8Pem);

		const withMd5 = await saveAlipayKey(db, me.actor, { id: view.id, pid: ALIPAY_PID, appid: ALIPAY_APPID, signType: 'RSA2', md5Key: MD5_KEY });
		expect(withMd5.secrets.md5Key.set).toBe(true);
		expect(withMd5.secrets.privateKey).toEqual(view.secrets.privateKey);

		const e = await rejection(saveAlipayKey(db, me.actor, { id: view.id, pid: ALIPAY_PID, appid: ALIPAY_APPID, signType: 'RSA' }));
		expect((e as KeyInputError).issues.map((i) => [i.key, i.params?.bits])).toEqual([
			['keys.privateKey.sizeMismatch', 2048],
			['keys.publicKey.sizeMismatch', 2048]
		]);
		const e2 = await rejection(saveAlipayKey(db, me.actor, { id: view.id, pid: ALIPAY_PID, appid: ALIPAY_APPID, signType: 'RSA2', alipayPublicKey: merchantKey.spkiPem }));
		expect((e2 as KeyInputError).issues.map((i) => i.key)).toEqual(['keys.alipay.publicKeyIsOwn']);
		expect((await auditRows(me.merchantId)).map((r) => r.action)).toEqual(['keys.alipay.create', 'keys.alipay.update']);
	});
});

describe('merchant scoping', () => {
	it('another merchant’s entry is NOT_FOUND everywhere', async () => {
		const mine = await saveWechatKey(db, other.actor, wechatInput({ mchId: '1900000099', certPassword: undefined, certP12Base64: makeP12({ mchId: '1900000099', password: '1900000099' }).toString('base64') }));
		const stranger = await merchantWithStaff(db);
		await expect(getKey(db, stranger.merchantId, mine.id)).rejects.toBeInstanceOf(KeyNotFoundError);
		await expect(setKeyStatus(db, stranger.actor, mine.id, 'DISABLED')).rejects.toBeInstanceOf(KeyNotFoundError);
		await expect(readKeySecrets(db, stranger.merchantId, mine.id)).rejects.toBeInstanceOf(KeyNotFoundError);
		await expect(saveWechatKey(db, stranger.actor, { id: mine.id, mchId: '1900000099', appid: WECHAT_APPID, signType: 'RSA2' })).rejects.toBeInstanceOf(KeyNotFoundError);
		// An id of the other provider is not found either.
		await expect(saveAlipayKey(db, other.actor, { id: mine.id, pid: ALIPAY_PID, appid: ALIPAY_APPID, signType: 'RSA2' })).rejects.toBeInstanceOf(KeyNotFoundError);
		expect(await listKeys(db, stranger.merchantId, 'WECHAT')).toEqual([]);
		expect((await getKey(db, other.merchantId, mine.id)).status).toBe('ENABLED');
	});

	it('a ciphertext copied into another entry does not decrypt there', async () => {
		const me = await merchantWithStaff(db);
		const a = await saveWechatKey(db, me.actor, wechatInput());
		const b = await saveWechatKey(db, me.actor, wechatInput({ mchId: '1900000003', certPassword: undefined, certP12Base64: makeP12({ mchId: '1900000003', password: '1900000003' }).toString('base64') }));
		const rowA = await db.selectFrom('payment_keys').select('secret_fields').where('id', '=', a.id).executeTakeFirstOrThrow();
		const rowB = await db.selectFrom('payment_keys').select('secret_fields').where('id', '=', b.id).executeTakeFirstOrThrow();
		const swapped = { ...rowB.secret_fields, apiKey: rowA.secret_fields.apiKey as SecretBox };
		await db.updateTable('payment_keys').set({ secret_fields: JSON.stringify(swapped) }).where('id', '=', b.id).execute();
		await expect(readKeySecrets(db, me.merchantId, b.id)).rejects.toThrow(/cannot decrypt/);
		// Moving a box between fields of one entry fails the same way.
		const crossField = { ...rowA.secret_fields, certPassword: rowA.secret_fields.apiKey };
		await db.updateTable('payment_keys').set({ secret_fields: JSON.stringify(crossField) }).where('id', '=', a.id).execute();
		await expect(readKeySecrets(db, me.merchantId, a.id)).rejects.toThrow(/cannot decrypt/);
	});
});

describe('status', () => {
	it('disables and enables with an audit row each; the same status again writes nothing', async () => {
		const me = await merchantWithStaff(db);
		const v = await saveWechatKey(db, me.actor, wechatInput());
		expect((await setKeyStatus(db, me.actor, v.id, 'DISABLED')).status).toBe('DISABLED');
		await setKeyStatus(db, me.actor, v.id, 'DISABLED');
		expect((await setKeyStatus(db, me.actor, v.id, 'ENABLED')).status).toBe('ENABLED');
		const rows = (await auditRows(me.merchantId)).map((r) => [r.action, r.detail]);
		expect(rows.slice(1)).toEqual([
			['keys.disable', { provider: 'WECHAT', externalId: WECHAT_MCH_ID, from: 'ENABLED', to: 'DISABLED' }],
			['keys.enable', { provider: 'WECHAT', externalId: WECHAT_MCH_ID, from: 'DISABLED', to: 'ENABLED' }]
		]);
	});
});

describe('连连账户+ (platform)', () => {
	it('shows 商户号, 签名方式 and the platform key before any merchant key is set', async () => {
		const me = await merchantWithStaff(db);
		const v = await getPlatformKey(db, me.merchantId);
		expect(v).toMatchObject({ merchantNo: me.merchantNo, signType: 'RSA', merchantPublicKey: null, updatedBy: null });
		expect(v.platformPublicKeyPem).toContain('BEGIN PUBLIC KEY');
		await expect(verifyMerchantSignature(db, me.merchantId, { body: 'x', signature: 'AAAA' })).rejects.toMatchObject({ key: 'keys.platform.publicKeyNotSet' });
	});

	it('saves a public key (replacing the previous one, audited) and verifies signatures with it', async () => {
		const me = await merchantWithStaff(db);
		const k1024 = rsa(1024, 'merchant');
		await setPlatformPublicKey(db, me.actor, k1024.spkiBase64);
		const v = await setPlatformPublicKey(db, me.actor, merchantKey.pkcs1PublicPem);
		expect(v.merchantPublicKey).toMatchObject({ pem: merchantKey.spkiPem, bits: 2048 });
		expect(v.updatedBy).toEqual({ id: me.staffId, name: '王操作' });
		const audit = await auditRows(me.merchantId);
		expect(audit.map((r) => r.action)).toEqual(['keys.platform.publicKey', 'keys.platform.publicKey']);
		expect((audit[1].detail as { previousFingerprint: string }).previousFingerprint).toBe((audit[0].detail as { fingerprint: string }).fingerprint);

		const body = 'oid_partner=2018062800003003&money_order=12.42';
		const md5 = createSign('RSA-MD5').update(body).sign(merchantKey.privateKey).toString('base64');
		expect(await verifyMerchantSignature(db, me.merchantId, { body, signature: md5 })).toEqual({ valid: true, algorithm: 'MD5withRSA' });
		expect(await verifyMerchantSignature(db, me.merchantId, { body: body + ' ', signature: md5 })).toEqual({ valid: false, algorithm: null });
		await expect(verifyMerchantSignature(db, me.merchantId, { body, signature: '@@' })).rejects.toMatchObject({ key: 'keys.verify.signatureMalformed' });
	});

	it('refuses a private key: nothing stored, nothing audited', async () => {
		const me = await merchantWithStaff(db);
		const e = await rejection(setPlatformPublicKey(db, me.actor, merchantKey.pkcs8Pem));
		expect((e as KeyInputError).issues).toEqual([{ field: 'publicKey', key: 'keys.platform.privateKeyUploaded' }]);
		expect(await db.selectFrom('platform_keys').selectAll().where('merchant_id', '=', me.merchantId).execute()).toEqual([]);
		expect(await auditRows(me.merchantId)).toEqual([]);
	});
});
