// Issue 3, as a new admin would: make a role 财务2 with the four trade queries and 修改密码, make
// an operator, read the SMS from the outbox, sign in as the operator (forced to change the initial
// password, then sign in again), see only trade and settings; the admin disables the operator and
// the operator's next click lands on sign-in.
import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { outboxText } from '#shared/server/sms/index.ts';
import { closeBrowser, DEMO, launchBrowser, newPage, signIn, submitSignIn, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let admin: Page;
let operator: Page;

const ROLE = '财务2';
const NAME = `测试操作员${randomInt(1000, 9999)}`;
const PHONE = `137${String(randomInt(0, 1e8)).padStart(8, '0')}`;
const NEW_PASSWORD = 'Caiwu2026ok';

const sql = sqlOn(databaseUrl);

beforeAll(async () => {
	browser = await launchBrowser();
	admin = await newPage(browser, baseUrl);
	operator = await newPage(browser, baseUrl);
	await signIn(admin, DEMO);
});
afterAll(async () => {
	await closeBrowser(browser);
});

describe('roles, operators and the initial password, in the browser', () => {
	it('the admin creates role 财务2 with the four trade queries; 修改密码 is always granted and explained', async () => {
		await admin.goto('/admin/roles');
		await admin.getByRole('button', { name: '新增角色' }).click();
		const dialog = admin.getByRole('dialog');
		await dialog.getByLabel('角色名称').fill(ROLE);
		const password = dialog.locator('[data-permission="settings.password"]');
		expect(await password.isChecked()).toBe(true);
		expect(await password.isDisabled()).toBe(true);
		await expect.poll(() => dialog.getByTestId('password-note').innerText()).toContain('修改密码');

		// one click on the group checks its four children; a partly chosen group is "mixed"
		await dialog.locator('[data-permission="trade"]').check();
		for (const p of ['payments.read', 'refunds.read', 'withdrawals.read', 'flows.read'])
			expect(await dialog.locator(`[data-permission="${p}"]`).isChecked()).toBe(true);
		expect(await dialog.locator('[data-permission="settings"]').getAttribute('aria-checked')).toBe('mixed');

		await dialog.getByRole('button', { name: '提交', exact: true }).click();
		await admin.getByText('角色已新增').waitFor();
		await admin.locator('tr', { hasText: ROLE }).first().waitFor();

		const [row] = await sql<{ permissions: string[]; status: string }>(
			`SELECT r.permissions, r.status FROM roles r JOIN merchants m ON m.id = r.merchant_id WHERE m.merchant_no = $1 AND r.name = $2`,
			[DEMO.merchantNo, ROLE]
		);
		expect(row).toEqual({ permissions: ['payments.read', 'refunds.read', 'withdrawals.read', 'flows.read', 'settings.password'], status: 'ENABLED' });
	});

	it('the admin creates an operator with that role; the initial password goes out by SMS', async () => {
		await admin.goto('/admin/operators');
		await admin.getByRole('button', { name: '新增操作员' }).click();
		const dialog = admin.getByRole('dialog');
		await dialog.getByLabel('姓名').fill(NAME);
		await dialog.getByLabel('手机').fill(PHONE);
		await dialog.getByLabel(ROLE, { exact: true }).check();
		await dialog.getByRole('button', { name: '提交', exact: true }).click();
		await admin.getByText('操作员已新增').first().waitFor();
		// the list shows the phone masked
		const row = admin.locator('tr', { hasText: NAME });
		await row.waitFor();
		expect(await row.innerText()).toContain(`${PHONE.slice(0, 3)}****${PHONE.slice(-4)}`);
		expect(await row.innerText()).not.toContain(PHONE);
	});

	it('each of the operator’s dialogs opens on that operator: 查看信息, 变更角色信息 (starting from their roles) and 登录设备', async () => {
		await admin.goto('/admin/operators');
		const actions = admin.locator(`[data-operator="${NAME}"]`);
		await actions.getByRole('button', { name: '查看信息' }).click();
		const detail = admin.getByTestId('operator-detail');
		await detail.waitFor();
		const text = await detail.innerText();
		expect(text).toContain(DEMO.merchantNo);
		expect(text).toContain(NAME);
		expect(text).toContain(`${PHONE.slice(0, 3)}****${PHONE.slice(-4)}`);
		expect(text).not.toContain(PHONE);
		expect(await detail.getByText(ROLE, { exact: true }).count()).toBe(1);
		await admin.keyboard.press('Escape');
		await detail.waitFor({ state: 'detached' });

		await actions.getByRole('button', { name: '变更角色信息' }).click();
		const roles = admin.getByRole('dialog');
		expect(await roles.getByRole('heading').first().innerText()).toBe('变更角色信息');
		expect(await roles.getByLabel(ROLE, { exact: true }).isChecked()).toBe(true);
		await roles.getByRole('button', { name: '提交', exact: true }).click();
		await admin.getByText('角色信息已变更, 该操作员需重新登录').first().waitFor();

		await actions.getByRole('button', { name: '登录设备' }).click();
		const devices = admin.getByRole('dialog');
		await devices.getByText(`${NAME} 的登录设备`).waitFor();
		await devices.getByText('没有其他登录设备').waitFor();
		await admin.keyboard.press('Escape');
		await devices.waitFor({ state: 'detached' });
	});

	it('the operator signs in with the texted password, must change it, signs in again and sees only 交易管理 and 设置', async () => {
		const [sms] = await sql<Parameters<typeof outboxText>[0]>(`SELECT * FROM sms_outbox WHERE phone = $1 ORDER BY id DESC LIMIT 1`, [PHONE]);
		expect(sms.body).toContain('初始密码 ******,');
		const initial = /初始密码 ([A-Za-z0-9]+)/.exec(outboxText(sms))?.[1];
		expect(initial).toBeTruthy();

		await submitSignIn(operator, { merchantNo: DEMO.merchantNo, phone: PHONE, password: initial! });
		await operator.waitForURL('**/password/initial');
		// nothing else is reachable first
		await operator.goto('/trade/payments');
		expect(new URL(operator.url()).pathname).toBe('/password/initial');

		await operator.getByLabel('原密码').fill(initial!);
		await operator.getByLabel('新密码').fill(NEW_PASSWORD);
		await operator.getByLabel('再输一次').fill(NEW_PASSWORD);
		await operator.getByRole('button', { name: '提交' }).click();
		await operator.waitForURL('**/login**');

		await signIn(operator, { merchantNo: DEMO.merchantNo, phone: PHONE, password: NEW_PASSWORD });
		const menu = await operator.locator('aside').first().innerText();
		for (const seen of ['交易管理', '支付订单查询', '退款订单查询', '提现订单查询', '资金流水查询', '设置', '修改密码']) expect(menu).toContain(seen);
		for (const hidden of ['平台账户', '用户管理', '对账单下载', '参数配置', '操作员管理', '角色管理', '审计日志']) expect(menu).not.toContain(hidden);
		// and the admin pages refuse them, whatever the menu shows
		const res = await operator.request.get('/api/trpc/operators.list');
		expect(res.status()).toBe(403);
	});

	it('the admin disables the operator; the operator’s next click lands on sign-in', async () => {
		await admin.goto('/admin/operators');
		await admin.locator(`[data-operator="${NAME}"]`).getByRole('button', { name: '变更操作员信息' }).click();
		const dialog = admin.getByRole('dialog');
		await dialog.getByLabel('状态').selectOption('DISABLED');
		await dialog.getByRole('button', { name: '提交', exact: true }).click();
		await admin.getByText('操作员信息已变更').waitFor();

		await operator.locator('aside').first().getByRole('link', { name: '退款订单查询' }).click();
		await operator.waitForURL('**/login**', { timeout: 15_000 });
		expect(new URL(operator.url()).pathname).toBe('/login');

		// the audit log shows what the admin did
		const rows = await sql<{ action: string }>(
			`SELECT a.action FROM audit_log a JOIN merchants m ON m.id = a.merchant_id WHERE m.merchant_no = $1 AND (a.action LIKE 'operators.%' OR (a.action = 'roles.create' AND a.detail->'after'->>'name' = $2)) ORDER BY a.id`,
			[DEMO.merchantNo, ROLE]
		);
		expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['roles.create', 'operators.create', 'operators.updateInfo']));
	});
});
