// 删除操作员 (issue 12, point 2), in two browsers: the admin deletes an operator who is signed in
// elsewhere. The confirmation names the person; the operator leaves the list; their next click
// lands on sign-in; signing in again reads exactly like a wrong password; the audit log and the
// sign-in history still show their name. Also point 5: 变更角色信息 shows the 操作员ID, and the
// list can show it as a column.
import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashPassword } from '#shared/server/auth/password.ts';
import { closeBrowser, DEMO, launchBrowser, newPage, signIn, submitSignIn, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const sql = sqlOn(databaseUrl);
let browser: Browser;
let admin: Page;
let operator: Page;

const suffix = randomInt(1000, 9999);
const NAME = `待删操作员${suffix}`;
const COLLEAGUE = `留任操作员${suffix}`;
const phone = () => `136${String(randomInt(0, 1e8)).padStart(8, '0')}`;
const PHONE = phone();
const COLLEAGUE_PHONE = phone();
const PASSWORD = 'Delete2026ok';
const masked = (p: string) => `${p.slice(0, 3)}****${p.slice(-4)}`;
let operatorId = '';

/** An operator of the demo merchant who can sign in with PASSWORD and use the trade queries. */
async function addOperator(name: string, phoneNo: string): Promise<string> {
	const hash = await hashPassword(PASSWORD);
	const [staff] = await sql<{ id: string; merchant_id: string }>(
		`INSERT INTO staff (merchant_id, name, phone, password_hash, must_change_password)
		 SELECT id, $2, $3, $4, false FROM merchants WHERE merchant_no = $1 RETURNING id, merchant_id`,
		[DEMO.merchantNo, name, phoneNo, hash]
	);
	const [role] = await sql<{ id: string }>(
		`INSERT INTO roles (merchant_id, name, permissions) VALUES ($1, $2, $3) RETURNING id`,
		[staff.merchant_id, `删除测试${name}`, ['payments.read', 'refunds.read', 'settings.password']]
	);
	await sql(`INSERT INTO staff_roles (merchant_id, staff_id, role_id) VALUES ($1, $2, $3)`, [staff.merchant_id, staff.id, role.id]);
	return staff.id;
}

/** The refusal the sign-in page shows. */
async function signInError(page: Page, who: { phone: string; password: string }): Promise<string> {
	await submitSignIn(page, { merchantNo: DEMO.merchantNo, ...who });
	const alert = page.locator('div[role="alert"]');
	await alert.waitFor({ timeout: 15_000 });
	expect(new URL(page.url()).pathname).toBe('/login');
	return alert.innerText();
}

beforeAll(async () => {
	operatorId = await addOperator(NAME, PHONE);
	await addOperator(COLLEAGUE, COLLEAGUE_PHONE);
	browser = await launchBrowser();
	admin = await newPage(browser, baseUrl);
	operator = await newPage(browser, baseUrl);
	await signIn(admin, DEMO);
	await signIn(operator, { merchantNo: DEMO.merchantNo, phone: PHONE, password: PASSWORD });
});
afterAll(async () => {
	await closeBrowser(browser);
});

describe('删除操作员, in the browser', () => {
	it('变更角色信息 shows the 操作员ID; the list shows it as a column once chosen', async () => {
		await admin.goto('/admin/operators');
		const row = admin.locator('tr', { hasText: NAME });
		await row.waitFor();
		await admin.locator(`[data-operator="${NAME}"]`).getByRole('button', { name: '变更角色信息' }).click();
		const ref = admin.getByRole('dialog').getByTestId('operator-ref');
		await ref.waitFor();
		expect(await ref.innerText()).toMatch(new RegExp(`操作员ID\\s+${operatorId}\\s+姓名\\s+${NAME}`));
		await admin.keyboard.press('Escape');
		await ref.waitFor({ state: 'detached' });

		// hidden by default; 筛选列 adds it
		const header = admin.locator('thead');
		expect(await header.innerText()).not.toContain('操作员ID');
		await admin.getByRole('button', { name: '筛选列' }).click();
		await admin.getByRole('menuitemcheckbox', { name: '操作员ID' }).click();
		await admin.keyboard.press('Escape');
		await expect.poll(() => header.innerText()).toContain('操作员ID');
		expect(await row.innerText()).toContain(operatorId);
	});

	it('the admin deletes the signed-in operator: the confirmation names them, they leave the list, their next click lands on sign-in', async () => {
		// the operator is working
		await operator.goto('/trade/payments');
		expect(new URL(operator.url()).pathname).toBe('/trade/payments');

		await admin.goto('/admin/operators');
		await admin.locator('tr', { hasText: NAME }).waitFor();
		const asked = new Promise<string>((resolve) =>
			admin.once('dialog', (d) => {
				resolve(d.message());
				void d.accept();
			})
		);
		await admin.locator(`[data-operator="${NAME}"]`).getByRole('button', { name: '删除', exact: true }).click();
		expect(await asked).toBe(`删除操作员 ${NAME}（${masked(PHONE)}）？此操作不可撤销`);
		await admin.getByText('操作员已删除').first().waitFor();
		await admin.locator('tr', { hasText: NAME }).waitFor({ state: 'detached' });
		await admin.locator('tr', { hasText: COLLEAGUE }).waitFor();

		await operator.locator('aside').first().getByRole('link', { name: '退款订单查询' }).click();
		await operator.waitForURL('**/login**', { timeout: 15_000 });
		expect(new URL(operator.url()).pathname).toBe('/login');
	});

	it('signing in again fails with the same message as a wrong password', async () => {
		const deleted = await signInError(operator, { phone: PHONE, password: PASSWORD });
		const wrong = await signInError(operator, { phone: COLLEAGUE_PHONE, password: `${PASSWORD}-wrong` });
		expect(deleted).toBe('商户号、手机号或密码错误');
		expect(deleted).toBe(wrong);
	});

	it('the audit log and the sign-in history keep the name; the 操作人 filter no longer offers them', async () => {
		await admin.goto('/admin/audit');
		const entry = admin.locator('tr', { hasText: '删除操作员' }).filter({ hasText: NAME });
		await entry.first().waitFor();
		expect(await entry.count()).toBe(1);
		const options = await admin.locator('#filter-staffId option').allInnerTexts();
		expect(options).toContain(COLLEAGUE);
		expect(options).not.toContain(NAME);

		await admin.goto('/admin/audit/sign-ins');
		await admin.locator('tr', { hasText: NAME }).first().waitFor();
	});
});
