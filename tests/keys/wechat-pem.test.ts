// 微信 refund certificate as WeChat's two files (issue 12, point 10): apiclient_cert.pem in
// 退款证书 and apiclient_key.pem in the separate 私钥证书 field are checked like a .p12 and kept
// as one; the single apiclient_cert.p12 still works alone, and the mixes that cannot be meant
// are refused on the field to fix.
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { messages } from '#shared/i18n/messages.ts';
import { getKey, readKeySecrets, saveWechatKey } from '#shared/server/keys/payment-keys.ts';
import { openApiclientCert, openWechatUpload, validateWechatKey, type WechatKeyFields } from '#shared/server/keys/wechat.ts';
import { API_KEY, makeP12, makePemPair, merchantWithStaff, WECHAT_APPID, WECHAT_MCH_ID } from './fixtures.ts';

const now = new Date();
const pair = makePemPair({ mchId: WECHAT_MCH_ID, keyLabel: 'pem-pair' });
const b64 = (text: string) => Buffer.from(text).toString('base64');

function form(over: Partial<WechatKeyFields> = {}): WechatKeyFields {
	return { mchId: WECHAT_MCH_ID, appid: WECHAT_APPID, signType: 'RSA2', apiKey: API_KEY, certP12Base64: b64(pair.certPem), certKeyPem: pair.keyPem, ...over };
}
async function validate(input: WechatKeyFields) {
	return validateWechatKey(input, await openWechatUpload(input, now));
}
const issues = (r: Awaited<ReturnType<typeof validate>>) => (r.ok ? [] : r.issues.map((i) => `${i.field} ${i.key}`));

describe('the two PEM files', () => {
	it('are accepted and packed into one .p12 that opens with the certificate password (default: the 商户号)', async () => {
		const r = await validate(form());
		if (!r.ok) throw new Error(JSON.stringify(r.issues));
		const cert = r.value.cert!;
		expect(cert.password).toBe(WECHAT_MCH_ID);
		const reopened = await openApiclientCert(cert.file, WECHAT_MCH_ID, WECHAT_MCH_ID, now);
		if (!reopened.ok) throw new Error(reopened.issue.key);
		expect(reopened.cert).toMatchObject({ serialNumber: cert.serialNumber, fingerprint: cert.fingerprint, subject: cert.subject });
		expect(cert.subject).toContain(`CN=${WECHAT_MCH_ID}`);
	});

	it('take a PKCS#1 private key too, and a given certificate password', async () => {
		const p1 = makePemPair({ mchId: WECHAT_MCH_ID, keyLabel: 'pem-pair', keyFormat: 'pkcs1' });
		expect(p1.keyPem).toContain('BEGIN RSA PRIVATE KEY');
		const r = await validate(form({ certKeyPem: p1.keyPem, certPassword: 'Own-Pass-1' }));
		if (!r.ok) throw new Error(JSON.stringify(r.issues));
		expect((await openApiclientCert(r.value.cert!.file, 'Own-Pass-1', WECHAT_MCH_ID, now)).ok).toBe(true);
	});

	it('refuse, on the field to fix: a PEM certificate without its key, a key that is not its own or not a key, a key beside a .p12, a key alone', async () => {
		expect(issues(await validate(form({ certKeyPem: undefined })))).toEqual(['certKey keys.wechat.privateKeyRequired']);
		const foreign = makePemPair({ mchId: WECHAT_MCH_ID, keyLabel: 'pem-pair', foreignKey: true });
		expect(issues(await validate(form({ certKeyPem: foreign.keyPem })))).toEqual(['certKey keys.wechat.certKeyMismatch']);
		expect(issues(await validate(form({ certKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----' })))).toEqual(['certKey keys.wechat.privateKeyCorrupt']);
		const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: WECHAT_MCH_ID });
		expect(issues(await validate(form({ certP12Base64: p12.toString('base64') })))).toEqual(['certKey keys.wechat.privateKeyWithP12']);
		expect(issues(await validate(form({ certP12Base64: undefined })))).toEqual(['certP12 keys.wechat.certRequired', 'certKey keys.wechat.privateKeyWithoutCert']);
		const other = makePemPair({ mchId: '1900000109', keyLabel: 'pem-pair' });
		expect(issues(await validate(form({ certP12Base64: b64(other.certPem) })))).toEqual(['certP12 keys.wechat.certSubjectMismatch']);
		for (const k of ['keys.wechat.privateKeyRequired', 'keys.wechat.privateKeyWithP12', 'keys.wechat.privateKeyWithoutCert', 'keys.wechat.privateKeyCorrupt', 'keys.wechat.certKey'] as const) {
			expect(messages[k].zh, k).toBeTruthy();
			expect(messages[k].en, k).toBeTruthy();
		}
	});

	it('the single apiclient_cert.p12 still works alone', async () => {
		const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: WECHAT_MCH_ID });
		const r = await validate(form({ certP12Base64: p12.toString('base64'), certKeyPem: undefined }));
		if (!r.ok) throw new Error(JSON.stringify(r.issues));
		expect(r.value.cert!.file.equals(p12)).toBe(true);
	});
});

describe('saved from the two files', () => {
	let m: Awaited<ReturnType<typeof merchantWithStaff>>;
	beforeAll(async () => {
		m = await merchantWithStaff(getDb());
	});

	it('is stored like a .p12 entry: the certificate and password as secrets, the dates from the certificate', async () => {
		const db = getDb();
		const view = await saveWechatKey(db, m.actor, form());
		expect(view.secrets.certP12?.set).toBe(true);
		expect(view.validTo?.getTime()).toBeGreaterThan(now.getTime());
		const secrets = await readKeySecrets(db, m.actor.merchantId, view.id);
		expect(secrets.certPassword.toString('utf8')).toBe(WECHAT_MCH_ID);
		const opened = await openApiclientCert(secrets.certP12, WECHAT_MCH_ID, WECHAT_MCH_ID, now);
		expect(opened.ok).toBe(true);
		expect((await getKey(db, m.actor.merchantId, view.id)).secrets.certP12?.fingerprint).toBe(opened.ok ? opened.cert.fingerprint : '');
	});
});
