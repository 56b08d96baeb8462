// 审计日志 → 登录记录, as an admin would check it: a failed sign-in against the merchant number
// (a phone that is nobody's here) shows up with the masked phone, 失败 and the reason, and the
// 结果 filter narrows the list to failures.
import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeBrowser, DEMO, launchBrowser, newPage, signIn, submitSignIn } from './helpers.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let admin: Page;
const tail = String(randomInt(0, 10_000)).padStart(4, '0');
const STRANGER = `1300000${tail}`;

beforeAll(async () => {
	browser = await launchBrowser();
	admin = await newPage(browser, baseUrl);
	await signIn(admin, DEMO);
});
afterAll(async () => {
	await closeBrowser(browser);
});

describe('登录记录', () => {
	it('shows a failed attempt with the masked phone and the reason, and filters to failures', async () => {
		const guesser = await newPage(browser, baseUrl);
		await submitSignIn(guesser, { merchantNo: DEMO.merchantNo, phone: STRANGER, password: 'Guess#2026x' });
		await expect.poll(() => guesser.getByRole('alert').first().innerText()).toContain('商户号、手机号或密码错误');
		await guesser.context().close();

		await admin.goto('/admin/audit');
		await admin.getByRole('navigation', { name: '审计日志分类' }).getByRole('link', { name: '登录记录' }).click();
		await admin.waitForURL((u) => u.pathname === '/admin/audit/sign-ins');
		await expect.poll(() => admin.getByRole('heading', { level: 1 }).innerText()).toBe('登录记录');

		await admin.getByLabel('结果').selectOption({ label: '失败' });
		await admin.getByRole('button', { name: '搜索' }).click();
		await admin.waitForURL((u) => u.searchParams.get('result') === 'failed');

		const row = admin.getByRole('row').filter({ hasText: `130****${tail}` }).first();
		await expect.poll(() => row.innerText()).toContain('失败');
		const text = await row.innerText();
		expect(text).toContain('(无此人员)');
		expect(text).toContain('手机号不属于本商户人员');
		expect(text).not.toContain(STRANGER);
		// every row the filter left is a failure
		const results = await admin.locator('tbody tr').allInnerTexts();
		expect(results.length).toBeGreaterThan(0);
		expect(results.every((r) => r.includes('失败'))).toBe(true);
	});
});
