import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
	decryptSecret,
	DEV_KID,
	encryptSecret,
	KeyringConfigError,
	loadKeyring,
	publicFingerprint,
	rewrapSecret,
	SecretDecryptError,
	secretFingerprint,
	type SecretBox
} from '#shared/server/crypto/secrets.ts';
import { captureLogs } from '#shared/server/log.ts';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const ringA = loadKeyring({ KEK_CURRENT: 'k1', KEKS: `k1:${k1}` } as NodeJS.ProcessEnv);
const ringB = loadKeyring({ KEK_CURRENT: 'k2', KEKS: `k1:${k1},k2:${k2}` } as NodeJS.ProcessEnv);
const owner = { merchantId: 7n, scope: 'WECHAT:1900009191', field: 'apiKey' };

function flip(b64: string, at = 0): string {
	const buf = Buffer.from(b64, 'base64');
	buf[at] ^= 0x01;
	return buf.toString('base64');
}

describe('encryptSecret / decryptSecret', () => {
	it('round-trips strings and bytes under the current kid, with a fresh iv each time', () => {
		const a = encryptSecret('Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk', owner, ringA);
		const b = encryptSecret('Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk', owner, ringA);
		expect(a.kid).toBe('k1');
		expect(a.iv).not.toBe(b.iv);
		expect(a.data).not.toBe(b.data);
		expect(decryptSecret(a, owner, ringA).toString('utf8')).toBe('Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk');
		const bytes = randomBytes(3000);
		const box = encryptSecret(bytes, owner, ringA);
		expect(decryptSecret(box, owner, ringA).equals(bytes)).toBe(true);
		// The box is plain JSON and survives a trip through jsonb.
		expect(decryptSecret(JSON.parse(JSON.stringify(box)) as SecretBox, owner, ringA).equals(bytes)).toBe(true);
		expect(box.data).not.toContain(bytes.toString('base64').slice(0, 20));
	});

	it('refuses a box moved to another merchant, entry or field (associated data)', () => {
		const box = encryptSecret('secret', owner, ringA);
		for (const other of [
			{ ...owner, merchantId: 8n },
			{ ...owner, scope: 'WECHAT:1900009192' },
			{ ...owner, field: 'certPassword' }
		])
			expect(() => decryptSecret(box, other, ringA)).toThrow(SecretDecryptError);
	});

	it('refuses a tampered tag, ciphertext or iv, and an unknown kid', () => {
		const box = encryptSecret('secret value', owner, ringA);
		expect(() => decryptSecret({ ...box, tag: flip(box.tag) }, owner, ringA)).toThrow(SecretDecryptError);
		expect(() => decryptSecret({ ...box, data: flip(box.data, 3) }, owner, ringA)).toThrow(SecretDecryptError);
		expect(() => decryptSecret({ ...box, iv: flip(box.iv) }, owner, ringA)).toThrow(SecretDecryptError);
		expect(() => decryptSecret({ ...box, tag: Buffer.alloc(8).toString('base64') }, owner, ringA)).toThrow(/malformed/);
		expect(() => decryptSecret({ ...box, kid: 'k9' }, owner, ringA)).toThrow(/unknown key id/);
		// The error never carries the plaintext.
		try {
			decryptSecret({ ...box, tag: flip(box.tag) }, owner, ringA);
		} catch (e) {
			expect(String((e as Error).message)).not.toContain('secret value');
		}
	});

	it('rotation: an old-kid box still decrypts, and rewrap moves it to the current kid', () => {
		const old = encryptSecret('md5-secret', owner, ringA);
		expect(decryptSecret(old, owner, ringB).toString()).toBe('md5-secret');
		const { box, changed } = rewrapSecret(old, owner, ringB);
		expect(changed).toBe(true);
		expect(box.kid).toBe('k2');
		expect(decryptSecret(box, owner, ringB).toString()).toBe('md5-secret');
		// A ring without k2 (e.g. an old deployment) cannot read it.
		expect(() => decryptSecret(box, owner, ringA)).toThrow(SecretDecryptError);
		expect(rewrapSecret(box, owner, ringB)).toEqual({ box, changed: false });
	});
});

describe('loadKeyring', () => {
	it('rejects malformed configurations', () => {
		const bad: Record<string, string>[] = [
			{ KEK_CURRENT: 'k1', KEKS: `k1:${randomBytes(16).toString('base64')}` },
			{ KEK_CURRENT: 'k2', KEKS: `k1:${k1}` },
			{ KEK_CURRENT: 'k1' },
			{ KEKS: `k1:${k1}` },
			{ KEK_CURRENT: 'k1', KEKS: `k1:${k1},k1:${k2}` },
			{ KEK_CURRENT: 'k1', KEKS: `${k1}` }
		];
		for (const env of bad) expect(() => loadKeyring(env as NodeJS.ProcessEnv), JSON.stringify(env)).toThrow(KeyringConfigError);
	});

	it('refuses to run without a KEK in production', () => {
		expect(() => loadKeyring({ NODE_ENV: 'production' } as NodeJS.ProcessEnv)).toThrow(/must be set in production/);
		const prod = loadKeyring({ NODE_ENV: 'production', KEK_CURRENT: 'k1', KEKS: `k1:${k1}` } as NodeJS.ProcessEnv);
		expect([...prod.keys.keys()]).toEqual(['k1']);
	});

	it('falls back to the dev key outside production, warning once', () => {
		const logged = captureLogs('warn');
		const a = loadKeyring({ NODE_ENV: 'test', KEK_CURRENT: undefined, KEKS: undefined } as NodeJS.ProcessEnv);
		loadKeyring({ NODE_ENV: 'development' } as NodeJS.ProcessEnv);
		expect(a.current).toBe(DEV_KID);
		logged.stop();
		expect(logged.entries().map((line) => [line.level, line.msg])).toEqual([
			['warn', '[secrets] KEK_CURRENT/KEKS not set: using the public development key (kid "dev"); never do this in production']
		]);
		// Dev-key boxes stay readable after real keys are configured (so they can be rotated).
		const devBox = encryptSecret('x', owner, a);
		expect(decryptSecret(devBox, owner, ringB).toString()).toBe('x');
	});
});

describe('fingerprints', () => {
	it('peppers short secrets with the KEK: stable per KEK, different across KEKs, not a plain hash', () => {
		const fp = secretFingerprint('1900009191', ringA);
		expect(fp).toMatch(/^[0-9a-f]{64}$/);
		expect(secretFingerprint('1900009191', ringA)).toBe(fp);
		expect(secretFingerprint('1900009192', ringA)).not.toBe(fp);
		expect(secretFingerprint('1900009191', ringB)).not.toBe(fp);
		expect(fp).not.toBe(publicFingerprint(Buffer.from('1900009191')));
	});
});
