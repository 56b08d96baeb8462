import { createPublicKey, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { platformPublicKey, validateMerchantPublicKey, verifyWithPublicKey } from '#shared/server/keys/platform.ts';
import { fakeRsa } from './crafted.ts';
import { rsa } from './fixtures.ts';

const pair = rsa(2048, 'merchant');
const body = '{"oid_partner":"2018062800003003","txn_seqno":"T20261125000001","total_amount":"12.42","memo":"测试"}';
const sign = (alg: string, text = body, key = pair.privateKey) => createSign(alg).update(text, 'utf8').sign(key).toString('base64');

describe('validateMerchantPublicKey (商户公钥)', () => {
	it('accepts 1024- and 2048-bit RSA public keys as PEM or bare base64, stored as SPKI PEM', async () => {
		for (const f of [rsa(1024, 'merchant'), pair])
			for (const text of [f.spkiPem, f.pkcs1PublicPem, f.spkiBase64, f.pkcs1PublicBase64, `\n  ${f.spkiPem}  \n`]) {
				const r = await validateMerchantPublicKey(text);
				if (!r.ok) throw new Error(JSON.stringify(r.issues));
				expect(r.value.bits).toBe(f.bits);
				expect(r.value.pem).toBe(f.spkiPem);
			}
	});

	it('refuses a private key loudly, in every encoding', async () => {
		for (const text of [pair.pkcs1Pem, pair.pkcs8Pem, pair.pkcs1Base64, pair.pkcs8Base64])
			expect(await validateMerchantPublicKey(text)).toEqual({ ok: false, issues: [{ field: 'publicKey', key: 'keys.platform.privateKeyUploaded' }] });
	});

	it('refuses other sizes, saying which, and garbage or nothing', async () => {
		expect(await validateMerchantPublicKey(rsa(3072).spkiPem)).toEqual({
			ok: false,
			issues: [{ field: 'publicKey', key: 'keys.platform.publicKeySize', params: { bits: 3072 } }]
		});
		expect(await validateMerchantPublicKey(rsa(512).spkiPem)).toMatchObject({ ok: false, issues: [{ key: 'keys.platform.publicKeySize' }] });
		expect(await validateMerchantPublicKey('ssh-rsa AAAAB3NzaC1yc2E')).toMatchObject({ ok: false, issues: [{ key: 'keys.publicKey.unreadable' }] });
		expect(await validateMerchantPublicKey('   ')).toMatchObject({ ok: false, issues: [{ key: 'keys.platform.publicKeyRequired' }] });
	});

	it('refuses a key over 4096 bits by that bound and an abnormal exponent, before any size rule', async () => {
		expect(await validateMerchantPublicKey(fakeRsa(16_384).spkiPem)).toEqual({
			ok: false,
			issues: [{ field: 'publicKey', key: 'keys.rsa.tooLarge', params: { bits: 16_384, max: 4096 } }]
		});
		expect(await validateMerchantPublicKey(fakeRsa(2048, 2n ** 64n + 1n).spkiPem)).toEqual({ ok: false, issues: [{ field: 'publicKey', key: 'keys.rsa.badExponent' }] });
	});
});

describe('verifyWithPublicKey (签名验证)', () => {
	it('auto tries MD5withRSA then SHA256withRSA and says which matched', async () => {
		expect(await verifyWithPublicKey(pair.spkiPem, body, sign('RSA-MD5'))).toEqual({ ok: true, value: { valid: true, algorithm: 'MD5withRSA' } });
		expect(await verifyWithPublicKey(pair.spkiPem, body, sign('RSA-SHA256'))).toEqual({ ok: true, value: { valid: true, algorithm: 'SHA256withRSA' } });
	});

	it('a named algorithm checks only that one', async () => {
		expect(await verifyWithPublicKey(pair.spkiPem, body, sign('RSA-MD5'), 'MD5withRSA')).toMatchObject({ value: { valid: true } });
		expect(await verifyWithPublicKey(pair.spkiPem, body, sign('RSA-MD5'), 'SHA256withRSA')).toMatchObject({ value: { valid: false, algorithm: null } });
	});

	it('fails for a changed body, another key, or a changed signature', async () => {
		const sig = sign('RSA-MD5');
		expect(await verifyWithPublicKey(pair.spkiPem, body.replace('12.42', '12.43'), sig)).toMatchObject({ value: { valid: false } });
		expect(await verifyWithPublicKey(rsa(2048, 'other').spkiPem, body, sig)).toMatchObject({ value: { valid: false } });
		const bytes = Buffer.from(sig, 'base64');
		bytes[10] ^= 1;
		expect(await verifyWithPublicKey(pair.spkiPem, body, bytes.toString('base64'))).toMatchObject({ value: { valid: false } });
		expect(await verifyWithPublicKey(pair.spkiPem, body, sig.slice(0, 40))).toMatchObject({ value: { valid: false } });
	});

	it('a 1 MB body (the most the form takes) verifies through the parse worker', async () => {
		const large = 'x'.repeat(1024 * 1024);
		expect(await verifyWithPublicKey(pair.spkiPem, large, sign('RSA-SHA256', large))).toEqual({ ok: true, value: { valid: true, algorithm: 'SHA256withRSA' } });
	});

	it('refuses a signature that is not base64', async () => {
		expect(await verifyWithPublicKey(pair.spkiPem, body, 'zz!!')).toEqual({ ok: false, issues: [{ field: 'signature', key: 'keys.verify.signatureMalformed' }] });
		expect(await verifyWithPublicKey(pair.spkiPem, body, '')).toMatchObject({ ok: false });
	});
});

describe('platformPublicKey (连连公钥下载)', () => {
	it('serves the bundled demo key when PLATFORM_PUBLIC_KEY_PEM is not set', () => {
		const file = readFileSync(new URL('../../src/lib/server/keys/platform-demo-public.pem', import.meta.url), 'utf8');
		const k = platformPublicKey({} as NodeJS.ProcessEnv);
		expect(k.pem).toBe(file);
		expect(createPublicKey(k.pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
		expect(k.fingerprint).toMatch(/^[0-9a-f]{64}$/);
		expect(k.pem).not.toContain('PRIVATE');
	});

	it('serves PLATFORM_PUBLIC_KEY_PEM when set, also with escaped newlines', () => {
		const other = rsa(2048, 'platform');
		expect(platformPublicKey({ PLATFORM_PUBLIC_KEY_PEM: other.spkiPem } as NodeJS.ProcessEnv).pem).toBe(other.spkiPem);
		const escaped = other.spkiPem.trim().replaceAll('\n', '\\n');
		expect(platformPublicKey({ PLATFORM_PUBLIC_KEY_PEM: escaped } as NodeJS.ProcessEnv).pem).toBe(other.spkiPem);
	});
});
