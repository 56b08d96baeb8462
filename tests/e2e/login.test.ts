import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { closeBrowser, DEMO, launchBrowser, newPage, submitSignIn } from './helpers.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
	browser = await launchBrowser();
});
afterAll(async () => {
	await closeBrowser(browser);
});

describe('sign-in page', () => {
	it('shows the error message and stays on /login for a wrong password', async () => {
		const page = await newPage(browser, baseUrl);
		await submitSignIn(page, { ...DEMO, password: `${DEMO.password}-wrong` });
		await expect
			.poll(() => page.getByText(messages['auth.invalidCredentials'].zh).count(), { timeout: 10_000 })
			.toBeGreaterThan(0);
		expect(new URL(page.url()).pathname).toBe('/login');
		// No session cookie was handed out.
		const cookies = await page.context().cookies();
		expect(cookies.filter((c) => c.httpOnly)).toEqual([]);
		await page.context().close();
	});

	it('sends a visitor without a session to /login', async () => {
		const page = await newPage(browser, baseUrl);
		await page.goto('/');
		expect(new URL(page.url()).pathname).toBe('/login');
		await page.context().close();
	});
});
