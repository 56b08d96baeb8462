// Saves every kind of secret through the API, then reads every keys response body a browser
// could receive (tRPC over HTTP, errors included): no secret byte may appear in any form.
import { createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import type { Permission } from '#shared/permissions.ts';
import { isSecretBox } from '#shared/server/crypto/secrets.ts';
import { readKeySecrets } from '#shared/server/keys/payment-keys.ts';
import { ALIPAY_APPID, ALIPAY_PID, API_KEY, makeP12, MD5_KEY, merchantWithStaff, rsa, WECHAT_APPID, WECHAT_MCH_ID } from '../keys/fixtures.ts';
import { callerOf, contextOf, httpCall, type Person } from './context.ts';
import { expectNoSecret, type Secret } from '../fixtures/secrets.ts';

const db = getDb();
const DAY = 86_400_000;
const ALL_KEYS: Permission[] = ['keys.platform.write', 'keys.list.read', 'keys.alipay.write', 'keys.wechat.write'];
const CERT_PASSWORD = 'Leak-Test-Pass-9';
// Expiring in 10 days, so the home page's warning (keys.expiring) has it too.
const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: CERT_PASSWORD, notAfter: new Date(Date.now() + 10 * DAY), keyLabel: 'leak-cert' });
const merchantKey = rsa(1024, 'leak-merchant');
const alipayKey = rsa(1024, 'leak-alipay');
const platformPrivate = rsa(2048, 'leak-platform');

let m: Person;
let secrets: Secret[];
const bodies: [string, string][] = [];

async function record(ctxPerms: readonly Permission[], path: string, kind: 'query' | 'mutation', input?: unknown) {
	const r = await httpCall(contextOf(db, m, ctxPerms), path, kind, input);
	bodies.push([`${kind} ${path} → ${r.status}`, r.body]);
	return r;
}

beforeAll(async () => {
	m = await merchantWithStaff(db, '泄露测试');
	const cert = createPrivateKey(rsa(2048, 'leak-cert').pkcs8Pem);
	secrets = [
		API_KEY,
		CERT_PASSWORD,
		p12,
		MD5_KEY,
		merchantKey.pkcs1Pem,
		merchantKey.pkcs8Pem,
		merchantKey.pkcs1Base64,
		merchantKey.pkcs8Base64,
		cert.export({ format: 'der', type: 'pkcs8' }),
		platformPrivate.pkcs8Pem
	];
});

describe('no secret leaves the server', () => {
	it('in any keys response body, successful or refused', async () => {
		const saveW = await record(ALL_KEYS, 'keys.wechat.save', 'mutation', {
			mchId: WECHAT_MCH_ID,
			appid: WECHAT_APPID,
			signType: 'RSA',
			apiKey: API_KEY,
			certPassword: CERT_PASSWORD,
			certP12Base64: p12.toString('base64')
		});
		expect(saveW.status).toBe(200);
		const saveA = await record(ALL_KEYS, 'keys.alipay.save', 'mutation', {
			pid: ALIPAY_PID,
			appid: ALIPAY_APPID,
			signType: 'RSA',
			privateKey: merchantKey.pkcs1Pem,
			alipayPublicKey: alipayKey.spkiBase64,
			md5Key: MD5_KEY
		});
		expect(saveA.status).toBe(200);
		const wechat = (saveW.json as { result: { data: { id: bigint; secrets: Record<string, { set: boolean; fingerprint: string | null }> } } }).result.data;
		const alipay = (saveA.json as { result: { data: { id: bigint } } }).result.data;
		// The views say 已设置 with a fingerprint for each secret.
		expect(Object.values(wechat.secrets).every((s) => s.set && /^[0-9a-f]{64}$/.test(s.fingerprint ?? ''))).toBe(true);

		await record(ALL_KEYS, 'keys.platform.setPublicKey', 'mutation', { publicKey: platformPrivate.spkiPem });
		// A private key pasted as 商户公钥 is refused; the refusal must not echo it.
		const refusedPrivate = await record(ALL_KEYS, 'keys.platform.setPublicKey', 'mutation', { publicKey: platformPrivate.pkcs8Pem });
		expect(refusedPrivate.status).toBe(400);
		// Refused edits (a wrong password with the real file, a bad md5Key) must not echo either.
		expect((await record(ALL_KEYS, 'keys.wechat.save', 'mutation', { id: wechat.id, mchId: WECHAT_MCH_ID, appid: WECHAT_APPID, signType: 'RSA', apiKey: API_KEY + 'x', certPassword: 'wrong', certP12Base64: p12.toString('base64') })).status).toBe(400);
		expect((await record(ALL_KEYS, 'keys.alipay.save', 'mutation', { id: alipay.id, pid: ALIPAY_PID, appid: ALIPAY_APPID, signType: 'RSA2', md5Key: MD5_KEY + '!' })).status).toBe(400);
		// An edit that keeps every secret.
		expect((await record(ALL_KEYS, 'keys.wechat.save', 'mutation', { id: wechat.id, mchId: WECHAT_MCH_ID, appid: WECHAT_APPID, signType: 'RSA2' })).status).toBe(200);

		for (const provider of ['WECHAT', 'ALIPAY']) await record(['keys.list.read'], 'keys.list', 'query', { provider });
		await record(['keys.list.read'], 'keys.get', 'query', { id: wechat.id });
		await record(['keys.list.read'], 'keys.get', 'query', { id: alipay.id });
		await record(['keys.wechat.write'], 'keys.wechat.list', 'query');
		await record(['keys.wechat.write'], 'keys.wechat.get', 'query', { id: wechat.id });
		await record(['keys.wechat.write'], 'keys.wechat.setStatus', 'mutation', { id: wechat.id, status: 'DISABLED' });
		await record(['keys.wechat.write'], 'keys.wechat.setStatus', 'mutation', { id: wechat.id, status: 'ENABLED' });
		await record(['keys.alipay.write'], 'keys.alipay.list', 'query');
		await record(['keys.alipay.write'], 'keys.alipay.get', 'query', { id: alipay.id });
		await record(['keys.alipay.write'], 'keys.alipay.setStatus', 'mutation', { id: alipay.id, status: 'DISABLED' });
		await record(['keys.platform.write'], 'keys.platform.get', 'query');
		const expiring = await record(['keys.list.read'], 'keys.expiring', 'query');
		expect(expiring.body).toContain(WECHAT_MCH_ID);

		// Every procedure of the router answered at least once.
		const paths = new Set(bodies.map(([where]) => where.split(' ')[1]));
		expect([...paths].sort()).toEqual(
			[
				'keys.list', 'keys.get', 'keys.expiring',
				'keys.wechat.list', 'keys.wechat.get', 'keys.wechat.save', 'keys.wechat.setStatus',
				'keys.alipay.list', 'keys.alipay.get', 'keys.alipay.save', 'keys.alipay.setStatus',
				'keys.platform.get', 'keys.platform.setPublicKey'
			].sort()
		);
		for (const [where, body] of bodies) expectNoSecret(where, body, secrets);

		// Nor the ciphertext: the boxes stay in the database.
		const rows = await db.selectFrom('payment_keys').select('secret_fields').where('merchant_id', '=', m.merchantId).execute();
		const boxes = rows.flatMap((r) => Object.values(r.secret_fields)).filter(isSecretBox);
		expect(boxes).toHaveLength(5);
		for (const [where, body] of bodies) expectNoSecret(where, body, boxes.flatMap((b) => [b.data, b.tag]));
	});

	it('while the secrets really are stored (the search looks for what is there)', async () => {
		const [wechat] = await callerOf(db, m, ['keys.wechat.write']).keys.wechat.list();
		const stored = await readKeySecrets(db, m.merchantId, wechat!.id);
		expect(stored.apiKey?.toString()).toBe(API_KEY);
		expect(stored.certP12?.equals(p12)).toBe(true);
		// The search can fail: each form of each secret is found when present.
		expect(() => expectNoSecret('probe', `x${p12.toString('hex')}x`, [p12])).toThrow(/leaks/);
		expect(() => expectNoSecret('probe', `"${Buffer.from(MD5_KEY).toString('base64')}"`, [MD5_KEY])).toThrow(/leaks/);
		expect(() => expectNoSecret('probe', merchantKey.pkcs8Base64, [merchantKey.pkcs1Pem, merchantKey.pkcs8Pem])).toThrow(/leaks/);
		expect(() => expectNoSecret('probe', CERT_PASSWORD, [CERT_PASSWORD])).toThrow(/leaks/);
	});
});
