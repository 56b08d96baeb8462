import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '#db';
import { main as rotateKekScript } from '../../scripts/rotate-kek.ts';
import { isSecretBox, loadKeyring, secretFingerprint, type SecretBox } from '#shared/server/crypto/secrets.ts';
import { rotateKek } from '#shared/server/keys/rotate.ts';
import { getKey, readKeySecrets, saveAlipayKey, saveWechatKey } from '#shared/server/keys/payment-keys.ts';
import { ALIPAY_APPID, ALIPAY_PID, API_KEY, makeP12, MD5_KEY, merchantWithStaff, rsa, WECHAT_APPID, WECHAT_MCH_ID } from './fixtures.ts';

const db = getDb();
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const saved = { KEK_CURRENT: process.env.KEK_CURRENT, KEKS: process.env.KEKS };
function useKeys(current: string, keks: string) {
	process.env.KEK_CURRENT = current;
	process.env.KEKS = keks;
}
afterAll(() => {
	for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
	else process.env[k] = v;
});

async function kidsInDb(): Promise<string[]> {
	const rows = await db.selectFrom('payment_keys').select('secret_fields').execute();
	return rows.flatMap((r) => Object.values(r.secret_fields).filter(isSecretBox).map((b) => b.kid));
}

describe('KEK rotation', () => {
	it('old kid decrypts before rotation; rotation re-encrypts everything under the new kid, idempotently', async () => {
		useKeys('k1', `k1:${k1}`);
		const a = await merchantWithStaff(db);
		const b = await merchantWithStaff(db);
		const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: WECHAT_MCH_ID });
		const wechat = await saveWechatKey(db, a.actor, {
			mchId: WECHAT_MCH_ID,
			appid: WECHAT_APPID,
			signType: 'RSA2',
			apiKey: API_KEY,
			certP12Base64: p12.toString('base64')
		});
		const alipay = await saveAlipayKey(db, b.actor, {
			pid: ALIPAY_PID,
			appid: ALIPAY_APPID,
			signType: 'RSA2',
			privateKey: rsa(2048, 'm').pkcs8Pem,
			alipayPublicKey: rsa(2048, 'ali').spkiPem,
			md5Key: MD5_KEY
		});
		expect(await kidsInDb()).toEqual(['k1', 'k1', 'k1', 'k1', 'k1']);

		// Deploy step 1: the new key is current, the old one still listed.
		useKeys('k2', `k1:${k1},k2:${k2}`);
		expect((await readKeySecrets(db, a.merchantId, wechat.id)).apiKey.toString()).toBe(API_KEY);
		expect((await readKeySecrets(db, b.merchantId, alipay.id)).md5Key.toString()).toBe(MD5_KEY);

		const report = await rotateKek(db);
		expect(report).toMatchObject({ kid: 'k2', entries: 2, rewritten: 2, secretsReencrypted: 5, secretsCurrent: 0, fingerprintsUpdated: 3, failed: [] });
		expect(await kidsInDb()).toEqual(['k2', 'k2', 'k2', 'k2', 'k2']);

		// Peppered fingerprints follow the new KEK; public ones (certificate) do not change.
		const after = await getKey(db, a.merchantId, wechat.id);
		expect(after.secrets.apiKey.fingerprint).toBe(secretFingerprint(API_KEY, loadKeyring()));
		expect(after.secrets.apiKey.fingerprint).not.toBe(wechat.secrets.apiKey.fingerprint);
		expect(after.secrets.certP12).toEqual(wechat.secrets.certP12);

		const again = await rotateKek(db);
		expect(again).toMatchObject({ entries: 2, rewritten: 0, secretsReencrypted: 0, secretsCurrent: 5, fingerprintsUpdated: 0 });

		// Deploy step 2: the old key is gone and everything still reads.
		useKeys('k2', `k2:${k2}`);
		const plain = await readKeySecrets(db, a.merchantId, wechat.id);
		expect(plain.apiKey.toString()).toBe(API_KEY);
		expect(plain.certP12.equals(p12)).toBe(true);
		expect(plain.certPassword.toString()).toBe(WECHAT_MCH_ID);
		const audit = await db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'keys.kekRotated').execute();
		expect(audit.length).toBe(2);
		expect(audit[0].detail).toMatchObject({ fromKids: ['k1'], toKid: 'k2' });
	});

	it('leaves an entry it cannot decrypt untouched, reports it, and carries on', async () => {
		useKeys('k2', `k2:${k2}`);
		const c = await merchantWithStaff(db);
		const entry = await saveWechatKey(db, c.actor, {
			mchId: '1900000007',
			appid: WECHAT_APPID,
			signType: 'RSA',
			apiKey: API_KEY,
			certP12Base64: makeP12({ mchId: '1900000007', password: '1900000007' }).toString('base64')
		});
		const row = await db.selectFrom('payment_keys').select('secret_fields').where('id', '=', entry.id).executeTakeFirstOrThrow();
		const box = row.secret_fields.apiKey as SecretBox;
		const tag = Buffer.from(box.tag, 'base64');
		tag[0] ^= 1;
		const broken = { ...row.secret_fields, apiKey: { ...box, tag: tag.toString('base64') } };
		await db.updateTable('payment_keys').set({ secret_fields: JSON.stringify(broken) }).where('id', '=', entry.id).execute();

		const k3 = randomBytes(32).toString('base64');
		useKeys('k3', `k2:${k2},k3:${k3}`);
		const report = await rotateKek(db);
		expect(report.failed).toEqual([{ id: entry.id, field: 'apiKey', error: expect.stringContaining('authentication failed') }]);
		expect(report.rewritten).toBe(2);
		const untouched = await db.selectFrom('payment_keys').select('secret_fields').where('id', '=', entry.id).executeTakeFirstOrThrow();
		expect(untouched.secret_fields).toEqual(broken);
	});

	it('scripts/rotate-kek.ts prints the counts and exits non-zero while an entry fails', async () => {
		const k4 = randomBytes(32).toString('base64');
		useKeys('k4', `k2:${k2},k3:${process.env.KEKS!.split('k3:')[1]},k4:${k4}`);
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		const err = vi.spyOn(console, 'error').mockImplementation(() => {});
		const code = await rotateKekScript();
		expect(code).toBe(1);
		expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/kid=k4 entries=3 rewritten=2 secrets re-encrypted=5 .* failed=1/);
		expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/field apiKey/);
		log.mockRestore();
		err.mockRestore();
		expect((await kidsInDb()).filter((k) => k === 'k4').length).toBe(5);
	});
});
