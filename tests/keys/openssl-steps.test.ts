// The OpenSSL steps on the key page (issue 12, point 13), run exactly as shown: they make an
// RSA-2048 pair whose public key the page accepts, and a signature 签名验证 verifies.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { validateMerchantPublicKey, verifyWithPublicKey } from '#shared/server/keys/platform.ts';
import { OPENSSL_BODY_FILE, OPENSSL_STEPS } from '../../src/routes/(app)/params/keys/openssl.ts';

describe('OpenSSL steps on 连连账户+ → 商户密钥生成工具', () => {
	it('each step reads in both languages', () => {
		for (const s of OPENSSL_STEPS) {
			expect(messages[s.text].zh, s.text).toBeTruthy();
			expect(messages[s.text].en, s.text).toBeTruthy();
		}
	});

	it('make a key pair the page accepts and a signature it verifies', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'openssl-steps-'));
		try {
			const outputs = OPENSSL_STEPS.filter((s) => s.command).map((s) => execFileSync('sh', ['-c', s.command!], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
			const signature = outputs.at(-1)!.trim();
			expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);

			const saved = await validateMerchantPublicKey(readFileSync(join(dir, 'merchant_public_key.pem'), 'utf8'));
			if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
			expect(saved.value.bits).toBe(2048);

			const body = readFileSync(join(dir, OPENSSL_BODY_FILE), 'utf8');
			expect(body).toBe('{"merchant_no":"test"}');
			expect(await verifyWithPublicKey(saved.value.pem, body, signature)).toEqual({ ok: true, value: { valid: true, algorithm: 'SHA256withRSA' } });
			// and the private key file is a PKCS#8 key, as the browser's generator downloads
			expect(readFileSync(join(dir, 'merchant_private_key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
