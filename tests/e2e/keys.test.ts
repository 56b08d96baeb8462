// 参数管理 → 支付密钥管理 in the browser: the 连连账户+ key generator sends only the public key,
// the WeChat and Alipay dialogs show each refused field under it and save, and no rendered page
// carries a secret.
import { createHash, createPrivateKey, createPublicKey, createSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages, type MessageKey } from '#shared/i18n/messages.ts';
import { ALIPAY_APPID, ALIPAY_PID, API_KEY, makeP12, MD5_KEY, rsa, WECHAT_APPID, WECHAT_MCH_ID } from '../keys/fixtures.ts';
import { expectNoSecret, type Secret } from '../fixtures/secrets.ts';
import { closeBrowser, DEMO, launchBrowser, newPage, signIn, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const zh = (key: MessageKey, params: Record<string, string | number> = {}) =>
	Object.entries(params).reduce<string>((s, [k, v]) => s.replaceAll(`{${k}}`, String(v)), messages[key].zh);

const CERT_PASSWORD = 'E2e-Cert-Pass-1';
// Ten days left: flagged 即将过期 on the list and on the home page.
const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: CERT_PASSWORD, keyLabel: 'e2e-cert', notAfter: new Date(Date.now() + 10 * 86_400_000) });
const alipayPrivate = rsa(2048, 'e2e-alipay-merchant');
const alipayPublic = rsa(2048, 'e2e-alipay-platform');

let browser: Browser;
let page: Page;
const requests: { url: string; method: string; body: string }[] = [];
const apiResponses: Promise<[string, string]>[] = [];
/** Every secret the browser typed or generated during this file. */
const secrets: Secret[] = [API_KEY, CERT_PASSWORD, p12, MD5_KEY, alipayPrivate.pkcs1Pem, alipayPrivate.pkcs8Pem, alipayPrivate.pkcs8Base64];

beforeAll(async () => {
	browser = await launchBrowser();
	page = await newPage(browser, baseUrl);
	page.on('request', (r: Request) => requests.push({ url: r.url(), method: r.method(), body: r.postData() ?? '' }));
	page.on('response', (r) => {
		if (r.url().includes('/api/trpc/')) apiResponses.push(r.text().then((body) => [r.url(), body], () => [r.url(), '']));
	});
	await signIn(page, DEMO);
});
afterAll(async () => {
	await closeBrowser(browser);
});

const sql = sqlOn(databaseUrl);

describe('连连账户+', () => {
	let privatePem: string;

	it('generates a key pair in the browser; the server receives only the public key', async () => {
		await page.goto('/params/keys?tab=platform');
		await page.getByTestId('platform-tab').waitFor();
		const before = requests.length;
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: zh('keys.keygen.generate') }).click()]);
		expect(download.suggestedFilename()).toBe('merchant_private_key.pem');
		privatePem = await readFile((await download.path())!, 'utf8');
		expect(privatePem).toContain('-----BEGIN PRIVATE KEY-----');
		const privateKey = createPrivateKey(privatePem);
		expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
		// Generating made no request at all.
		expect(requests.slice(before).filter((r) => !r.url.startsWith('blob:'))).toEqual([]);

		const filled = await page.locator('#merchant-public-key').inputValue();
		expect(filled).toContain('-----BEGIN PUBLIC KEY-----');
		const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
		expect(createPublicKey(filled).export({ format: 'der', type: 'spki' }).equals(spki)).toBe(true);

		await page.getByRole('button', { name: zh('keys.platform.submit') }).click();
		const fingerprint = createHash('sha256').update(spki).digest('hex');
		await page.getByTestId('merchant-public-key').getByText(fingerprint).waitFor({ timeout: 15_000 });
		expect(await page.getByTestId('merchant-public-key').innerText()).toContain(zh('keys.platform.savedKey', { bits: 2048, fingerprint }));

		const sent = requests.filter((r) => r.url.includes('/api/trpc/'));
		const save = sent.filter((r) => r.url.includes('keys.platform.setPublicKey'));
		expect(save).toHaveLength(1);
		expect(save[0]!.body).toContain('BEGIN PUBLIC KEY');
		const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
		for (const r of requests) {
			expect(r.body).not.toContain('PRIVATE KEY');
			expect(r.url).not.toContain('PRIVATE');
			expectNoSecret(`${r.method} ${r.url}`, r.url + r.body, [privatePem, pkcs8]);
		}
		const [row] = await sql<{ fingerprint: string }>(
			'SELECT p.fingerprint FROM platform_keys p JOIN merchants m ON m.id = p.merchant_id WHERE m.merchant_no = $1',
			[DEMO.merchantNo]
		);
		expect(row?.fingerprint).toBe(fingerprint);
		secrets.push(privatePem, pkcs8);
	});

	it('签名验证 says which algorithm verified a signature made with the generated key', async () => {
		const body = '{"oid_partner":"2018062800003003","money_order":"12.30"}';
		const signature = createSign('md5').update(body).sign(createPrivateKey(privatePem)).toString('base64');
		await page.locator('#verify-body').fill(body);
		await page.locator('#verify-signature').fill(signature);
		await page.getByRole('button', { name: zh('keys.verify.submit'), exact: true }).click();
		await expect.poll(() => page.getByTestId('verify-result').innerText()).toBe(zh('keys.verify.valid', { algorithm: 'MD5withRSA' }));
		await page.locator('#verify-body').fill(body + '\n');
		await page.getByRole('button', { name: zh('keys.verify.submit'), exact: true }).click();
		await expect.poll(() => page.getByTestId('verify-result').innerText()).toBe(zh('keys.verify.invalid'));
	});

	it('连连公钥下载 serves a .pem to the signed-in person and nothing to a stranger', async () => {
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByText(zh('keys.platform.download')).click()]);
		const pem = await readFile((await download.path())!, 'utf8');
		expect(pem).toContain('-----BEGIN PUBLIC KEY-----');
		expect(createPublicKey(pem).asymmetricKeyType).toBe('rsa');
		const stranger = await fetch(`${baseUrl}/params/keys/platform-public-key`, { redirect: 'manual' });
		expect(stranger.status).toBe(401);
		expect(await stranger.text()).not.toContain('BEGIN PUBLIC KEY');
	});
});

describe('微信 and 支付宝 dialogs', () => {
	it('shows each refused field under it, then saves a WeChat entry with its certificate', async () => {
		await page.goto('/params/keys?tab=wechat');
		await page.getByRole('button', { name: zh('keys.wechat.add') }).click();
		const form = page.getByTestId('wechat-form');
		await form.getByLabel(zh('keys.wechat.mchId')).fill('12ab');
		await form.getByLabel(zh('keys.appid')).fill('wx123');
		await form.getByLabel(zh('keys.wechat.apiKey')).fill('short');
		await form.getByRole('button', { name: zh('keys.save') }).click();
		await expect.poll(() => page.locator('#wx-mchId-error').innerText()).toBe(zh('keys.wechat.mchIdInvalid'));
		expect(await page.locator('#wx-appid-error').innerText()).toBe(zh('keys.wechat.appidInvalid'));
		expect(await page.locator('#wx-apiKey-error').innerText()).toBe(zh('keys.wechat.apiKeyInvalid'));
		expect(await page.locator('#wx-certP12-error').innerText()).toBe(zh('keys.wechat.certRequired'));

		await form.getByLabel(zh('keys.wechat.mchId')).fill(WECHAT_MCH_ID);
		await form.getByLabel(zh('keys.appid')).fill(WECHAT_APPID);
		await form.getByLabel(zh('keys.wechat.apiKey')).fill(API_KEY);
		await page.locator('#wx-certP12').setInputFiles({ name: 'apiclient_cert.p12', mimeType: 'application/x-pkcs12', buffer: p12 });
		await form.getByLabel(zh('keys.wechat.certPassword')).fill('wrong-password');
		await form.getByRole('button', { name: zh('keys.save') }).click();
		await expect.poll(() => page.locator('#wx-certPassword-error').innerText()).toBe(zh('keys.wechat.certPasswordWrong'));

		await form.getByLabel(zh('keys.wechat.certPassword')).fill(CERT_PASSWORD);
		await form.getByRole('button', { name: zh('keys.save') }).click();
		const row = page.getByTestId('wechat-tab').locator('tbody tr', { hasText: WECHAT_MCH_ID });
		await row.waitFor({ timeout: 15_000 });
		expect(await row.innerText()).toContain(zh('keys.set'));
		expect(await row.innerText()).toContain(zh('keys.expiresSoon'));
	});

	it('the home page warns about the certificate that expires within 30 days', async () => {
		await page.goto('/');
		const banner = page.getByTestId('expiring-certs');
		await banner.waitFor();
		const text = await banner.innerText();
		expect(text).toContain(zh('keys.home.expiringTitle', { n: 1 }));
		expect(text).toContain(WECHAT_MCH_ID);
		expect(text).toContain(zh('keys.expiresSoon'));
	});

	it('saves an Alipay entry from pasted keys', async () => {
		await page.goto('/params/keys?tab=alipay');
		await page.getByRole('button', { name: zh('keys.alipay.add') }).click();
		const form = page.getByTestId('alipay-form');
		await form.getByLabel(zh('keys.alipay.pid')).fill(ALIPAY_PID);
		await form.getByLabel(zh('keys.appid')).fill(ALIPAY_APPID);
		// Swapped keys are named as such.
		await form.getByLabel(zh('keys.alipay.privateKey')).fill(alipayPublic.spkiPem);
		await form.getByLabel(zh('keys.alipay.alipayPublicKey')).fill(alipayPrivate.pkcs1Pem);
		await form.getByRole('button', { name: zh('keys.save') }).click();
		await expect.poll(() => page.locator('#ali-privateKey-error').innerText()).toBe(zh('keys.privateKey.isPublic'));
		expect(await page.locator('#ali-alipayPublicKey-error').innerText()).toBe(zh('keys.publicKey.isPrivate'));

		await form.getByLabel(zh('keys.alipay.privateKey')).fill(alipayPrivate.pkcs1Pem);
		await form.getByLabel(zh('keys.alipay.alipayPublicKey')).fill(alipayPublic.spkiBase64);
		await form.getByLabel(zh('keys.alipay.md5Key')).fill(MD5_KEY);
		await form.getByRole('button', { name: zh('keys.save') }).click();
		const row = page.getByTestId('alipay-tab').locator('tbody tr', { hasText: ALIPAY_PID });
		await row.waitFor({ timeout: 15_000 });
		expect(await row.innerText()).toContain(zh('keys.set'));
	});
});

describe('no page carries a secret', () => {
	it('the rendered HTML of every tab, as served and as shown', async () => {
		const [{ n }] = await sql<{ n: string }>(
			`SELECT count(*)::text AS n FROM payment_keys k JOIN merchants m ON m.id = k.merchant_id WHERE m.merchant_no = $1`,
			[DEMO.merchantNo]
		);
		expect(Number(n)).toBeGreaterThanOrEqual(2);
		// What each tab shows (the merchant public key by its fingerprint): the search below looks at real content.
		const [platform] = await sql<{ fingerprint: string }>(
			'SELECT p.fingerprint FROM platform_keys p JOIN merchants m ON m.id = p.merchant_id WHERE m.merchant_no = $1',
			[DEMO.merchantNo]
		);
		const shows = { wechat: WECHAT_MCH_ID, alipay: ALIPAY_PID, platform: platform!.fingerprint };
		for (const [tab, shown] of Object.entries(shows)) {
			const served = await page.request.get(`/params/keys?tab=${tab}`);
			expect(served.status()).toBe(200);
			const html = await served.text();
			expect(html).toContain(shown);
			expectNoSecret(`/params/keys?tab=${tab} (served)`, html, secrets);
			await page.goto(`/params/keys?tab=${tab}`);
			await page.waitForLoadState('networkidle');
			expectNoSecret(`/params/keys?tab=${tab} (shown)`, await page.content(), secrets);
		}
		const home = await page.request.get('/');
		expectNoSecret('/', await home.text(), secrets);
		// …and every response the browser got from the API during this file.
		const answered = await Promise.all(apiResponses);
		expect(answered.some(([url]) => url.includes('keys.wechat.save'))).toBe(true);
		for (const [url, body] of answered) expectNoSecret(url, body, secrets);
	});
});
