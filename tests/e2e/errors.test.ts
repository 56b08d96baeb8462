// A failed build as the person sees it in the browser: 导出记录 and 对账单下载 show the
// catalogue's message for a build whose row holds Postgres's own error text, and that text is
// nowhere in the page.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '#db';
import { messages } from '#shared/i18n/messages.ts';
import { statementWindow } from '#shared/schemas/statements.ts';
import { closeBrowser, DEMO, launchBrowser, newPage, signIn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const RAW = 'column p.memo_secret does not exist (SQLSTATE 42703) at pg-pool/index.js:45';
let browser: Browser;
let db: Db;
let merchantId: bigint;
const made: { exports: bigint[]; statements: bigint[] } = { exports: [], statements: [] };

beforeAll(async () => {
	browser = await launchBrowser();
	db = createDb(inject('databaseUrl'), 2);
	const admin = await db
		.selectFrom('staff as s')
		.innerJoin('merchants as m', 'm.id', 's.merchant_id')
		.select(['s.id', 's.merchant_id'])
		.where('m.merchant_no', '=', DEMO.merchantNo)
		.where('s.phone', '=', DEMO.phone)
		.executeTakeFirstOrThrow();
	merchantId = admin.merchant_id;
	const e = await db
		.insertInto('exports')
		.values({ merchant_id: merchantId, staff_id: admin.id, list_key: 'payments', format: 'CSV', columns: [], status: 'FAILED', error: RAW, finished_at: new Date() })
		.returning('id')
		.executeTakeFirstOrThrow();
	made.exports.push(e.id);
	const s = await db
		.insertInto('statements')
		.values({ merchant_id: merchantId, accounting_date: statementWindow().first, status: 'FAILED', error: RAW, attempts: 3 })
		.returning('id')
		.executeTakeFirstOrThrow();
	made.statements.push(s.id);
});

afterAll(async () => {
	if (made.exports.length) await db.deleteFrom('exports').where('id', 'in', made.exports).execute();
	if (made.statements.length) await db.deleteFrom('statements').where('id', 'in', made.statements).execute();
	await db.destroy();
	await closeBrowser(browser);
});

describe('a failed build in the browser', () => {
	it('导出记录 shows the catalogue message, not the stored error text', async () => {
		const page = await newPage(browser, baseUrl);
		await signIn(page);
		await page.goto('/downloads/exports');
		const row = page.locator(`[data-export-id="${made.exports[0]}"]`);
		await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('FAILED');
		expect(await row.getByTestId('export-failure').textContent()).toBe(messages['exports.buildFailed'].zh);
		expect(await page.content()).not.toContain('memo_secret');
		await page.context().close();
	});

	it('对账单下载 shows the catalogue message on the failed day, not the stored error text', async () => {
		const page = await newPage(browser, baseUrl);
		await signIn(page);
		const day = statementWindow().first;
		await page.goto(`/downloads/statements?month=${day.slice(0, 7)}`);
		const cell = page.locator(`[data-testid="statement-day"][data-date="${day}"]`);
		await expect.poll(() => cell.getAttribute('data-state'), { timeout: 10_000 }).toBe('FAILED');
		expect(await cell.getAttribute('title')).toBe(
			messages['statements.failedReason'].zh.replace('{reason}', messages['statements.buildFailed'].zh)
		);
		expect(await page.content()).not.toContain('memo_secret');
		await page.context().close();
	});
});
