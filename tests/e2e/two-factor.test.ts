// Issue 11, as a new admin would: turn on two-factor sign-in in 设置 → 二次验证 (the test is the
// authenticator app: it computes codes from the key the page shows), keep the recovery codes,
// sign out, and sign in with password + code; a wrong code and a used code are refused, a
// recovery code works once.
import { randomInt } from 'node:crypto';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { hashPassword } from '#shared/server/auth/password.ts';
import { closeBrowser, launchBrowser, newPage, signIn, submitSignIn, type Credentials, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let page: Page;

const ADMIN: Credentials = {
	merchantNo: `20261205${String(randomInt(0, 1e8)).padStart(8, '0')}`,
	phone: `136${String(randomInt(0, 1e8)).padStart(8, '0')}`,
	password: 'Newadmin#2026'
};

/** What an authenticator app shows `steps` 30-second steps from now. */
function code(secret: string, steps = 0): string {
	return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(Date.now() / 30_000)) + BigInt(steps), 6);
}

/** A code the app shows at none of the steps accepted now. */
function wrongCode(secret: string): string {
	const valid = new Set([-1, 0, 1, 2].map((s) => code(secret, s)));
	return ['000000', '111111', '222222', '333333', '444444'].find((c) => !valid.has(c))!;
}

const sql = sqlOn(databaseUrl);

async function signOut() {
	await page.getByRole('button', { name: messages['app.logout'].zh }).click();
	await page.waitForURL((url) => url.pathname === '/login');
}

/** Password step, then the code step's form with `typed` in it. */
async function signInWithCode(typed: string) {
	await submitSignIn(page, ADMIN);
	const step = page.getByTestId('code-step');
	await step.waitFor();
	await step.getByLabel(messages['auth.code'].zh).fill(typed);
	await step.getByRole('button', { name: messages['auth.codeVerify'].zh }).click();
}

beforeAll(async () => {
	const [m] = await sql<{ id: string }>(`INSERT INTO merchants (merchant_no, name) VALUES ($1, '新商户') RETURNING id`, [ADMIN.merchantNo]);
	await sql(`INSERT INTO staff (merchant_id, is_admin, name, phone, password_hash, must_change_password) VALUES ($1, true, '新管理员', $2, $3, false)`, [
		m.id,
		ADMIN.phone,
		await hashPassword(ADMIN.password)
	]);
	browser = await launchBrowser();
	page = await newPage(browser, baseUrl);
});
afterAll(async () => {
	await closeBrowser(browser);
});

// One browser story, test after test: what the app showed and what was used so far.
let secret = '';
let recovery: string[] = [];
let used = '';

describe('two-factor sign-in in the browser, as a new admin', () => {
	it('enrols: QR code and key shown, the first code turns it on, ten recovery codes shown once', async () => {
		await signIn(page, ADMIN);
		await page.goto('/settings/two-factor');
		await page.getByRole('button', { name: messages['twoFactor.start'].zh }).click();
		const enrolment = page.getByTestId('enrolment');
		await enrolment.waitFor();
		expect(await enrolment.locator('svg').count()).toBe(1);
		secret = (await page.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		// the key as text, in groups for typing
		expect((await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '')).toBe(secret);

		await page.getByLabel(messages['twoFactor.confirmCode'].zh).fill(code(secret));
		await page.getByRole('button', { name: messages['twoFactor.confirm'].zh }).click();
		const codes = page.getByTestId('recovery-codes');
		await codes.waitFor();
		recovery = await codes.locator('li').allInnerTexts();
		expect(recovery).toHaveLength(10);
		await page.getByRole('button', { name: messages['twoFactor.recoverySaved'].zh }).click();
		await expect.poll(() => page.getByTestId('two-factor-state').innerText()).toContain('已启用');
		expect(await page.getByTestId('recovery-left').innerText()).toContain('10');
	});

	it('signs out, then signs in with password and code; a wrong code is refused first', async () => {
		await signOut();
		await signInWithCode(wrongCode(secret));
		await expect.poll(() => page.getByRole('alert').innerText()).toBe(messages['auth.badCode'].zh);
		expect(new URL(page.url()).pathname).toBe('/login');

		const step = page.getByTestId('code-step');
		used = code(secret, 1);
		await step.getByLabel(messages['auth.code'].zh).fill(used);
		await step.getByRole('button', { name: messages['auth.codeVerify'].zh }).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/login'));
	});

	it('refuses the same code again within its window', async () => {
		await signOut();
		await signInWithCode(used);
		await expect.poll(() => page.getByRole('alert').innerText()).toBe(messages['auth.codeReplayed'].zh);
		expect(new URL(page.url()).pathname).toBe('/login');
		// 返回 ends the half sign-in
		await page.getByRole('button', { name: messages['auth.codeBack'].zh }).click();
		await page.getByLabel('登录密码').waitFor();
	});

	it('a recovery code signs in once', async () => {
		await signInWithCode(recovery[0]);
		await page.waitForURL((url) => !url.pathname.startsWith('/login'));
		await page.goto('/settings/two-factor');
		expect(await page.getByTestId('recovery-left').innerText()).toContain('9');

		await signOut();
		await signInWithCode(recovery[0]);
		await expect.poll(() => page.getByRole('alert').innerText()).toBe(messages['auth.codeReplayed'].zh);
		expect(new URL(page.url()).pathname).toBe('/login');
	});
});

describe('step-up in the browser', () => {
	it('a sensitive action after 5 minutes asks for the password again, then carries on by itself', async () => {
		// Still at the code step the last test left: another recovery code finishes the sign-in.
		const step = page.getByTestId('code-step');
		await step.getByLabel(messages['auth.code'].zh).fill(recovery[1]);
		await step.getByRole('button', { name: messages['auth.codeVerify'].zh }).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/login'));
		// …more than 5 minutes ago, as far as the server knows.
		await sql(`UPDATE sessions SET verified_at = now() - interval '6 minutes' FROM staff WHERE staff.id = sessions.staff_id AND staff.phone = $1`, [ADMIN.phone]);

		const role = `出纳${randomInt(100, 999)}`;
		await page.goto('/admin/roles');
		await page.getByRole('button', { name: '新增角色' }).click();
		await page.getByRole('dialog').getByLabel('角色名称').fill(role);
		await page.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();

		const stepUp = page.getByTestId('step-up-dialog');
		await stepUp.waitFor();
		expect(await stepUp.innerText()).toContain(messages['stepUp.intro'].zh);
		await stepUp.getByLabel(messages['stepUp.password'].zh).fill(ADMIN.password);
		await stepUp.getByRole('button', { name: messages['stepUp.submit'].zh }).click();

		// the refused save went through once verified: the role exists, nothing was typed twice
		await expect.poll(() => sql(`SELECT name FROM roles WHERE name = $1`, [role]).then((r) => r.length), { timeout: 10_000 }).toBe(1);
		await expect.poll(() => stepUp.count()).toBe(0);
	});
});
