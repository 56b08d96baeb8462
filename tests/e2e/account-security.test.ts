// Issue 11 in the browser: 退出 on another device signs that browser out at its next request;
// 登录记录 lists one's own sign-ins; the address allow-list, saved without one's own address
// (after the explicit confirmation), ends this session and refuses the next sign-in from here.
import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { hashPassword } from '#shared/server/auth/password.ts';
import { closeBrowser, launchBrowser, newPage, signIn, submitSignIn, type Credentials, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let office: Page;
let laptop: Page;
let merchantId = '';

const ADMIN: Credentials = {
	merchantNo: `20261206${String(randomInt(0, 1e8)).padStart(8, '0')}`,
	phone: `137${String(randomInt(0, 1e8)).padStart(8, '0')}`,
	password: 'Secure#Admin2026'
};

const sql = sqlOn(databaseUrl);

beforeAll(async () => {
	const [m] = await sql<{ id: string }>(`INSERT INTO merchants (merchant_no, name) VALUES ($1, '安全商户') RETURNING id`, [ADMIN.merchantNo]);
	merchantId = m.id;
	await sql(`INSERT INTO staff (merchant_id, is_admin, name, phone, password_hash, must_change_password) VALUES ($1, true, '安全管理员', $2, $3, false)`, [
		m.id,
		ADMIN.phone,
		await hashPassword(ADMIN.password)
	]);
	browser = await launchBrowser();
	office = await newPage(browser, baseUrl);
	laptop = await newPage(browser, baseUrl);
});
afterAll(async () => {
	await closeBrowser(browser);
	if (merchantId) await sql(`UPDATE merchants SET sign_in_allow_list = '{}' WHERE id = $1`, [merchantId]);
});

describe('account security in the browser', () => {
	it('退出 on another device signs that browser out at its next request', async () => {
		await signIn(office, ADMIN);
		await signIn(laptop, ADMIN);
		await office.goto('/settings/devices');
		const rows = office.getByTestId('devices').locator('tbody tr');
		await expect.poll(() => rows.count()).toBe(2);

		office.once('dialog', (d) => void d.accept());
		await office.getByTestId('devices').getByRole('button', { name: messages['devices.end'].zh }).click();
		await expect.poll(() => rows.count()).toBe(1);

		await laptop.goto('/settings/profile');
		await laptop.waitForURL((url) => url.pathname === '/login');
		// the office carries on
		await office.goto('/settings/profile');
		expect(new URL(office.url()).pathname).toBe('/settings/profile');
	});

	it('设置 → 登录记录 lists one’s own sign-ins with address and device', async () => {
		await office.goto('/settings/sign-ins');
		await office.getByRole('heading', { name: messages['signIns.title'].zh }).waitFor();
		const body = office.locator('table tbody');
		await expect.poll(async () => (await body.innerText()).split(messages['signIns.result.ok'].zh).length - 1).toBeGreaterThanOrEqual(2);
		expect(await body.innerText()).toContain('Linux');
	});

	it('an allow-list without one’s own address asks first, then ends this session; signing in from here is refused with the reason', async () => {
		await office.goto('/settings/allow-list');
		await office.getByLabel(messages['allowList.entries'].zh).fill('203.0.113.0/24\n2001:db8::/32');
		await office.getByRole('button', { name: messages['allowList.save'].zh, exact: true }).click();

		const confirm = office.getByRole('dialog');
		await confirm.getByText(messages['allowList.confirmTitle'].zh).waitFor();
		expect(await confirm.innerText()).toContain('不在新的名单内');
		await confirm.getByRole('button', { name: messages['allowList.confirmSave'].zh }).click();

		// saved, and this browser is outside: its next request finds no session
		await expect.poll(async () => (await sql<{ l: string[] }>(`SELECT sign_in_allow_list AS l FROM merchants WHERE id = $1`, [merchantId]))[0].l).toEqual(['203.0.113.0/24', '2001:db8::/32']);
		await office.goto('/settings/profile');
		await office.waitForURL((url) => url.pathname === '/login');

		await submitSignIn(office, ADMIN);
		await expect.poll(() => office.getByRole('alert').innerText()).toMatch(/^您当前的地址 \S+ 不在本商户的登录地址白名单内, 无法登录。请联系商户管理员。$/);
		expect(new URL(office.url()).pathname).toBe('/login');

		const log = await sql<{ event: string; reason: string }>(
			`SELECT l.event, l.reason FROM sign_in_log l JOIN staff s ON s.id = l.staff_id WHERE s.merchant_id = $1 AND NOT l.ok ORDER BY l.id`,
			[merchantId]
		);
		expect(log).toEqual([
			{ event: 'sessionEnded', reason: 'addressNotAllowed' },
			{ event: 'signIn', reason: 'addressNotAllowed' }
		]);
		const audit = await sql<{ action: string }>(`SELECT action FROM audit_log WHERE merchant_id = $1 AND action = 'allowList.update'`, [merchantId]);
		expect(audit).toHaveLength(1);
	});
});
