// 导出 from 支付订单查询: request an Excel export with a filter, watch 导出记录 reach 100 %,
// download it, parse the XLSX and compare it with what the list matches (plain SQL).
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { formatYuan } from '#shared/money.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { buildExportNow, closeBrowser, DEMO, readyExportFile, signedInBrowser } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let page: Page;
let db: pg.Client;

const today = businessDate();
const rangeFrom = startOfBusinessDate(addDays(today, -6));
const rangeTo = startOfBusinessDate(addDays(today, 1));

beforeAll(async () => {
	db = new pg.Client({ connectionString: databaseUrl });
	await db.connect();
	({ browser, page } = await signedInBrowser(baseUrl));
}, 120_000);
afterAll(async () => {
	await closeBrowser(browser);
	await db?.end();
});

describe('导出', () => {
	it('exports the filtered payments to Excel, shows progress to 100 % and the file matches the list', async () => {
		await page.goto('/trade/payments?status=TRADE_SUCCESS');
		await page.locator('[data-list][data-ready]').waitFor({ timeout: 30_000 });
		await page.getByTestId('export-button').click();
		await page.getByTestId('export-xlsx').click();
		await page.getByText(messages['exports.requested'].zh).waitFor({ timeout: 15_000 });

		const { rows: [exp] } = await db.query<{ id: string }>(`SELECT id::text FROM exports ORDER BY id DESC LIMIT 1`);
		await buildExportNow(databaseUrl, exp.id);

		const { row, body } = await readyExportFile(page, exp.id);
		expect(await row.getByTestId('export-percent').innerText()).toBe('100%');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(body as unknown as ArrayBuffer);
		const ws = wb.worksheets[0];

		const { rows: expected } = await db.query<{ merchant_order_no: string; amount: string }>(
			`SELECT p.merchant_order_no, p.amount::text AS amount
			   FROM payments p JOIN merchants m ON m.id = p.merchant_id
			  WHERE m.merchant_no = $1 AND p.status = 'TRADE_SUCCESS' AND p.created_at >= $2 AND p.created_at < $3
			  ORDER BY p.created_at DESC, p.id DESC`,
			[DEMO.merchantNo, rangeFrom, rangeTo]
		);
		expect(expected.length).toBeGreaterThan(0);
		expect(ws.rowCount - 1).toBe(expected.length);
		const headers = (ws.getRow(1).values as unknown[]).slice(1);
		const orderCol = headers.indexOf(messages['payment.merchantOrderNo'].zh) + 1;
		const amountCol = headers.indexOf(messages['payment.amount'].zh) + 1;
		for (let i = 0; i < expected.length; i++) {
			const r = ws.getRow(i + 2);
			expect(r.getCell(orderCol).value).toBe(expected[i].merchant_order_no);
			expect((r.getCell(amountCol).value as number).toFixed(2)).toBe(formatYuan(BigInt(expected[i].amount)));
		}
	});
});
