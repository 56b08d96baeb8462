// Issue 12, point 1, as a new merchant lives it: the platform opens the merchant through the
// signed ingest call; the admin reads the initial password in the SMS outbox, signs in, must change
// it first, signs in again and sees the four balance cards at zero.
import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingestPath, ingestSecret, signatureHeaders } from '#shared/server/ingest/signature.ts';
import { outboxText } from '#shared/server/sms/index.ts';
import { OPENSSL_STEPS } from '../../src/routes/(app)/params/keys/openssl.ts';
import { API_KEY, makePemPair, WECHAT_APPID } from '../keys/fixtures.ts';
import { CARD_ACCOUNTS } from './balances.ts';
import { closeBrowser, launchBrowser, newPage, signIn, submitSignIn, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let page: Page;

const MERCHANT_NO = `2026${String(randomInt(0, 1e12)).padStart(12, '0')}`;
const MERCHANT_NAME = `开户测试商户${randomInt(100, 999)}`;
const ADMIN = '周管理';
const PHONE = `136${String(randomInt(0, 1e8)).padStart(8, '0')}`;
const NEW_PASSWORD = 'Kaihu2026ok';

const sql = sqlOn(databaseUrl);

/** The platform's call: POST /api/ingest/v1/merchants, signed with the shared secret. */
async function openMerchant(): Promise<{ status: number; body: { ok: boolean; created?: boolean; id?: string } }> {
	const body = JSON.stringify({ merchant_no: MERCHANT_NO, name: MERCHANT_NAME, admin_name: ADMIN, admin_phone: PHONE });
	const path = ingestPath('merchants');
	const res = await fetch(`${baseUrl}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...signatureHeaders(ingestSecret(), { method: 'POST', path, body }) },
		body
	});
	return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
	browser = await launchBrowser();
	page = await newPage(browser, baseUrl);
});
afterAll(async () => {
	await closeBrowser(browser);
});

describe('a merchant opened by the platform, in the browser', () => {
	it('the platform opens the merchant through the signed ingest call (a replay opens nothing new)', async () => {
		const first = await openMerchant();
		expect(first).toMatchObject({ status: 200, body: { ok: true, created: true } });
		const again = await openMerchant();
		expect(again).toEqual({ status: 200, body: { ok: true, created: false, id: first.body.id } });
	});

	it('the admin reads the SMS, signs in, must change the password, signs in again and sees four balances at zero', async () => {
		const texts = await sql<Parameters<typeof outboxText>[0]>(`SELECT * FROM sms_outbox WHERE phone = $1 ORDER BY id`, [PHONE]);
		expect(texts).toHaveLength(1);
		const text = outboxText(texts[0]);
		expect(text).toContain(`商户号 ${MERCHANT_NO}`);
		const initial = /初始密码 ([A-Za-z0-9]+),/.exec(text)?.[1];
		expect(initial).toMatch(/^[A-Za-z0-9]{8,}$/);

		await submitSignIn(page, { merchantNo: MERCHANT_NO, phone: PHONE, password: initial! });
		await page.waitForURL('**/password/initial');
		// nothing else is reachable before the change
		await page.goto('/');
		expect(new URL(page.url()).pathname).toBe('/password/initial');

		await page.getByLabel('原密码').fill(initial!);
		await page.getByLabel('新密码').fill(NEW_PASSWORD);
		await page.getByLabel('再输一次').fill(NEW_PASSWORD);
		await page.getByRole('button', { name: '提交' }).click();
		await page.waitForURL('**/login**');

		await signIn(page, { merchantNo: MERCHANT_NO, phone: PHONE, password: NEW_PASSWORD });
		expect(new URL(page.url()).pathname).toBe('/');
		const header = await page.locator('header').first().innerText();
		expect(header).toContain(ADMIN);
		expect(header).toContain(MERCHANT_NAME);
		// the shell carries the platform's brand
		expect(await page.getByTestId('brand').first().innerText()).toBe('连连账户+ · 商户站');
		for (const { title } of CARD_ACCOUNTS) {
			const card = page.locator('[data-slot="card"]').filter({ has: page.locator('[data-slot="card-title"]', { hasText: title }) });
			await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
			const amounts = (await card.innerText()).match(/-?[\d,]+\.\d{2}/g);
			// 总金额, 待结算 and 可用, each 0.00
			expect(amounts).toEqual(['0.00', '0.00', '0.00']);
		}
	});

	it('the new admin adds a WeChat entry from the two files WeChat gives: 退款证书 and 私钥证书', async () => {
		const mchId = '1900000109';
		const pem = makePemPair({ mchId, keyLabel: 'e2e-opening-pem' });
		await page.goto('/params/keys?tab=wechat');
		await page.getByRole('button', { name: '添加微信商户号' }).click();
		const form = page.getByTestId('wechat-form');
		await form.getByLabel('微信商户号').fill(mchId);
		await form.getByLabel('appid').fill(WECHAT_APPID);
		await form.getByLabel('私钥 (API 密钥)').fill(API_KEY);
		await page.locator('#wx-certP12').setInputFiles({ name: 'apiclient_cert.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pem.certPem) });
		// the certificate alone is not enough: its private key is the other file
		await form.getByRole('button', { name: '立即提交' }).click();
		await expect.poll(() => page.locator('#wx-certKey-error').innerText()).toContain('请同时上传私钥证书');
		await page.locator('#wx-certKey').setInputFiles({ name: 'apiclient_key.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pem.keyPem) });
		await form.getByRole('button', { name: '立即提交' }).click();
		const row = page.getByTestId('wechat-tab').locator('tbody tr', { hasText: mchId });
		await row.waitFor({ timeout: 15_000 });
		expect(await row.innerText()).toContain('已设置');
	});

	it('the new admin finds the OpenSSL steps beside the in-browser key generator', async () => {
		await page.goto('/params/keys?tab=platform');
		await page.getByTestId('platform-tab').waitFor();
		await page.getByText('离线生成: 用 OpenSSL 生成同样的密钥对').click();
		const steps = await page.getByTestId('openssl-steps').innerText();
		for (const command of OPENSSL_STEPS.flatMap((s) => (s.command ? [s.command] : []))) expect(steps).toContain(command);
		expect(steps).toContain('私钥只保存在您自己的服务器上');
	});
});
