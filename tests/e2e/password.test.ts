// 找回密码 in the browser: from the sign-in page's link, request a code, read it from the SMS
// outbox, see a wrong code refused, set a new password with the rules shown as it is typed, and
// sign in with it.
import { randomInt } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashPassword } from '#shared/server/auth/password.ts';
import { outboxText } from '#shared/server/sms/index.ts';
import { closeBrowser, DEMO, launchBrowser, newPage, signIn, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;

const PHONE = `136${String(randomInt(0, 1e8)).padStart(8, '0')}`;
const OLD_PASSWORD = 'Forgot2026old';
const NEW_PASSWORD = 'Found2026new';

const sql = sqlOn(databaseUrl);

beforeAll(async () => {
	browser = await launchBrowser();
	// An operator of the demo merchant who has forgotten the password (and is locked out, too).
	await sql(
		`INSERT INTO staff (merchant_id, name, phone, password_hash, must_change_password, failed_attempts, locked_until)
		 SELECT id, '忘记密码的操作员', $2, $3, false, 0, now() + interval '10 minutes' FROM merchants WHERE merchant_no = $1`,
		[DEMO.merchantNo, PHONE, await hashPassword(OLD_PASSWORD)]
	);
});
afterAll(async () => {
	await closeBrowser(browser);
});

describe('找回密码 in the browser', () => {
	it('code by SMS → new password → sign in with it', async () => {
		const page = await newPage(browser, baseUrl);
		await page.goto('/login');
		await page.getByRole('link', { name: '找回密码' }).click();
		await page.waitForURL('**/password/forgot');

		await page.getByLabel('商户号').fill(DEMO.merchantNo);
		await page.getByLabel('手机号').fill(PHONE);
		await page.getByRole('button', { name: '获取验证码' }).click();
		await page.getByText('验证码已发送').waitFor();
		// The button counts down the 60 s cool-down.
		await expect.poll(() => page.getByRole('button', { name: /秒后重新获取/ }).isDisabled()).toBe(true);

		let code = '';
		await expect
			.poll(async () => {
				const rows = await sql<Parameters<typeof outboxText>[0]>(`SELECT * FROM sms_outbox WHERE phone = $1 ORDER BY id DESC LIMIT 1`, [PHONE]);
				code = rows[0] ? (/验证码 ([0-9]{6})/.exec(outboxText(rows[0]))?.[1] ?? '') : '';
				return code;
			})
			.toMatch(/^[0-9]{6}$/);

		// The rules follow the typing.
		const lengthRule = page.locator('[data-rule="password.rule.length"]');
		await page.getByLabel('新密码').fill('abc');
		expect(await lengthRule.getAttribute('data-ok')).toBe('false');
		await page.getByLabel('新密码').fill(`a${PHONE}`);
		expect(await page.locator('[data-rule="password.rule.notPhone"]').getAttribute('data-ok')).toBe('false');

		// A wrong code is refused and the password stays as it was.
		await page.getByLabel('验证码').fill(code === '000000' ? '000001' : '000000');
		await page.getByLabel('新密码').fill(NEW_PASSWORD);
		await page.getByLabel('再输一次').fill(NEW_PASSWORD);
		expect(await lengthRule.getAttribute('data-ok')).toBe('true');
		await page.getByRole('button', { name: '提交' }).click();
		await page.getByText('验证码错误或已失效').waitFor();
		expect(new URL(page.url()).pathname).toBe('/password/forgot');

		await page.getByLabel('验证码').fill(code);
		await page.getByRole('button', { name: '提交' }).click();
		await page.waitForURL('**/login?reset=1');
		await page.getByText('密码已重置, 请使用新密码登录').waitFor();

		const [row] = await sql<{ locked_until: Date | null; failed_attempts: number }>(
			`SELECT locked_until, failed_attempts FROM staff WHERE phone = $1`,
			[PHONE]
		);
		expect(row).toEqual({ locked_until: null, failed_attempts: 0 });

		await signIn(page, { merchantNo: DEMO.merchantNo, phone: PHONE, password: NEW_PASSWORD });
		expect(new URL(page.url()).pathname).toBe('/');
		await page.context().close();
	});

	it('the same code cannot be used twice', async () => {
		const page = await newPage(browser, baseUrl);
		const [last] = await sql<Parameters<typeof outboxText>[0]>(`SELECT * FROM sms_outbox WHERE phone = $1 ORDER BY id DESC LIMIT 1`, [PHONE]);
		const code = /验证码 ([0-9]{6})/.exec(outboxText(last!))![1]!;
		await page.goto('/password/forgot');
		await page.getByLabel('商户号').fill(DEMO.merchantNo);
		await page.getByLabel('手机号').fill(PHONE);
		await page.getByLabel('验证码').fill(code);
		await page.getByLabel('新密码').fill('Again2026pw');
		await page.getByLabel('再输一次').fill('Again2026pw');
		await page.getByRole('button', { name: '提交' }).click();
		await page.getByText('验证码错误或已失效').waitFor();
		await page.context().close();
	});
});
