// Browser helpers for e2e tests: Debian's Chromium driven by playwright-core.
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import pg from 'pg';
import { expect } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling out of a closed network.
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

export const DEMO = {
	merchantNo: '2018062800003003',
	phone: process.env.DEMO_ADMIN_PHONE || '13800000000',
	password: process.env.DEMO_ADMIN_PASSWORD || 'Demo@2018'
} as const;

export function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export async function closeBrowser(browser: Browser | undefined): Promise<void> {
	await browser?.close();
}

/** A page in a fresh context (its own cookies), zh-CN like a first visit. */
export async function newPage(browser: Browser, baseUrl: string): Promise<Page> {
	const context = await browser.newContext({ baseURL: baseUrl, locale: 'zh-CN', viewport: { width: 1360, height: 900 } });
	return context.newPage();
}

export interface Credentials {
	merchantNo: string;
	phone: string;
	password: string;
}

/** Fills the /login form by its labels and submits it; does not wait for where it lands. */
export async function submitSignIn(page: Page, who: Credentials): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('商户号').fill(who.merchantNo);
	await page.getByLabel('手机号').fill(who.phone);
	await page.getByLabel('登录密码').fill(who.password);
	await page.getByRole('button', { name: '登录', exact: true }).click();
}

/** Signs in and waits until the browser has left /login. */
export async function signIn(page: Page, who: Credentials = DEMO): Promise<void> {
	await submitSignIn(page, who);
	await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 15_000 });
}

/** A one-off query on the test database, each on its own connection (tests check what the browser did). */
export function sqlOn(databaseUrl: string) {
	return async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
		const client = new pg.Client({ connectionString: databaseUrl });
		await client.connect();
		try {
			return (await client.query(text, values)).rows as T[];
		} finally {
			await client.end();
		}
	};
}

/**
 * Builds export `id` at once with the job's own function, as a worker would: no worker runs in
 * the e2e harness, so the test plays it (after the page asked, while the page watches).
 */
export async function buildExportNow(databaseUrl: string, id: string): Promise<void> {
	process.env.DATABASE_URL = databaseUrl;
	const { createDb } = await import('#db');
	const { buildExport } = await import('#shared/server/exports/build.ts');
	const { closeFilePool } = await import('#shared/server/files/index.ts');
	const kdb = createDb(databaseUrl, 2);
	try {
		expect((await buildExport(kdb, BigInt(id), { finalAttempt: true })).outcome).toBe('built');
	} finally {
		await kdb.destroy();
		await closeFilePool();
	}
}

/** Export `id`'s row on 导出记录 once it shows READY, and the file its 下载 link serves. */
export async function readyExportFile(page: Page, id: string): Promise<{ row: Locator; body: Buffer }> {
	await page.goto('/downloads/exports');
	const row = page.locator(`[data-export-id="${id}"]`);
	await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('READY');
	const res = await page.request.get((await row.getByTestId('export-download').getAttribute('href'))!);
	expect(res.status()).toBe(200);
	return { row, body: await res.body() };
}

/** A test file's browser with one page signed in as `who` (beforeAll); closeBrowser it in afterAll. */
export async function signedInBrowser(baseUrl: string, who: Credentials = DEMO): Promise<{ browser: Browser; page: Page }> {
	const browser = await launchBrowser();
	const page = await newPage(browser, baseUrl);
	await signIn(page, who);
	return { browser, page };
}
