import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { closeBrowser, DEMO, launchBrowser, newPage, signIn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let page: Page;
let yesterday: string;
let rows: number;

beforeAll(async () => {
	// No worker runs in the e2e harness: build yesterday's statement with the job's own function.
	process.env.DATABASE_URL = databaseUrl;
	const { createDb } = await import('#db');
	const { upsertStatement } = await import('#shared/server/statements/records.ts');
	const { buildStatement } = await import('#shared/server/statements/build.ts');
	const { closeFilePool } = await import('#shared/server/files/index.ts');
	const { yesterday: y } = await import('#shared/time.ts');
	yesterday = y();
	const db = createDb(databaseUrl, 2);
	try {
		const m = await db.selectFrom('merchants').select('id').where('merchant_no', '=', DEMO.merchantNo).executeTakeFirstOrThrow();
		const s = await upsertStatement(db, m.id, yesterday);
		const r = await buildStatement(db, s.id);
		rows = r.outcome === 'built' ? r.rows : -1;
	} finally {
		await db.destroy();
		await closeFilePool();
	}
	browser = await launchBrowser();
	page = await newPage(browser, baseUrl);
	await signIn(page, DEMO);
}, 120_000);
afterAll(async () => {
	await closeBrowser(browser);
});

describe('对账单下载', () => {
	it('shows yesterday ready, today not due, and downloads the CSV and the Excel file', async () => {
		await page.goto('/downloads/statements');
		await expect.poll(() => page.getByRole('heading', { name: messages['statements.title'].zh }).count()).toBeGreaterThan(0);
		const day = page.locator(`[data-testid="statement-day"][data-date="${yesterday}"]`);
		expect(await day.getAttribute('data-state')).toBe('READY');
		expect(await day.innerText()).toContain(messages['statements.status.READY'].zh);

		await day.click();
		const csvLink = page.getByRole('link', { name: messages['statements.downloadCsv'].zh });
		await csvLink.waitFor();
		const href = (await csvLink.getAttribute('href'))!;
		const csv = await page.request.get(href);
		expect(csv.status()).toBe(200);
		expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
		expect(csv.headers()['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`对账单_${DEMO.merchantNo}_${yesterday}.csv`)}`);
		const body = await csv.body();
		expect(Number(csv.headers()['content-length'])).toBe(body.length);
		expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(body.toString('utf8')).toContain('商户订单号,ACCP交易单号');
		expect(body.toString('utf8').split('\n').length).toBeGreaterThan(rows);

		const part = await page.request.get(href, { headers: { range: 'bytes=0-2' } });
		expect(part.status()).toBe(206);
		expect([...(await part.body())]).toEqual([0xef, 0xbb, 0xbf]);

		const xlsxHref = (await page.getByRole('link', { name: messages['statements.downloadXlsx'].zh }).getAttribute('href'))!;
		const xlsx = await page.request.get(xlsxHref);
		expect(xlsx.status()).toBe(200);
		expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
	});

	it("answers 404 for a file id that is not this merchant's", async () => {
		const r = await page.request.get('/files/999999999');
		expect(r.status()).toBe(404);
	});
});
