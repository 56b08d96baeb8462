import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { addDays } from '#shared/time.ts';
import { csvRows } from '../fixtures/csv.ts';
import { buildExportNow, closeBrowser, DEMO, signedInBrowser, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const sql = sqlOn(databaseUrl);
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
	({ browser, page } = await signedInBrowser(baseUrl));
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

	it('builds a date range as one file: it shows in 导出记录 with its progress and downloads', async () => {
		const from = addDays(yesterday, -2);
		await page.goto('/downloads/statements');
		const form = page.getByTestId('statement-range');
		await form.getByRole('heading', { name: messages['statements.range.title'].zh }).waitFor();
		// 整月 fills the month shown (yesterday's), as far as the window reaches.
		await form.getByRole('button', { name: messages['statements.range.month'].zh }).click();
		expect(await form.getByLabel(messages['statements.range.from'].zh).inputValue()).toBe(`${yesterday.slice(0, 7)}-01`);
		expect(await form.getByLabel(messages['statements.range.to'].zh).inputValue()).toBe(yesterday);
		// An end before the start is refused on the spot, in words.
		await form.getByLabel(messages['statements.range.from'].zh).fill(yesterday);
		await form.getByLabel(messages['statements.range.to'].zh).fill(from);
		await form.getByRole('button', { name: messages['statements.range.submit'].zh }).click();
		expect(await form.getByRole('alert').innerText()).toBe(messages['statements.range.endBeforeStart'].zh);

		await form.getByLabel(messages['statements.range.from'].zh).fill(from);
		await form.getByLabel(messages['statements.range.to'].zh).fill(yesterday);
		await form.getByLabel(messages['statements.range.format'].zh).selectOption('CSV');
		await form.getByRole('button', { name: messages['statements.range.submit'].zh }).click();
		await page.getByText(messages['exports.requested'].zh).waitFor({ timeout: 15_000 });
		const [exp] = await sql<{ id: string }>(`SELECT id::text FROM exports WHERE list_key = 'statementRange' ORDER BY id DESC LIMIT 1`);

		// 导出记录 shows it waiting, as 对账单 with its days, at 0 %.
		await page.getByRole('button', { name: messages['exports.open'].zh }).click();
		await page.waitForURL('**/downloads/exports');
		const row = page.locator(`[data-export-id="${exp.id}"]`);
		await row.waitFor();
		expect(await row.getAttribute('data-status')).toBe('QUEUED');
		expect(await row.innerText()).toContain(messages['exports.list.statementRange'].zh);
		expect(await row.getByTestId('export-period').innerText()).toBe(`· ${from} ~ ${yesterday}`);
		expect(await row.getByTestId('export-percent').innerText()).toBe('0%');

		await buildExportNow(databaseUrl, exp.id);
		await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('READY');
		expect(await row.getByTestId('export-percent').innerText()).toBe('100%');

		const href = (await row.getByTestId('export-download').getAttribute('href'))!;
		const res = await page.request.get(href);
		expect(res.status()).toBe(200);
		expect(res.headers()['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`对账单_${DEMO.merchantNo}_${from}_${yesterday}.csv`)}`);
		const body = await res.body();
		expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const lines = csvRows(body);
		const blank = lines.findIndex((l) => l.length === 1 && l[0] === '');
		expect(lines[0].slice(0, 2)).toEqual(['商户订单号', 'ACCP交易单号']);
		const rows = lines.slice(1, blank);
		// The three days' rows, day after day: as many as the order tables hold, ACCP账务日期 never going back.
		const [{ n }] = await sql<{ n: string }>(
			`SELECT ((SELECT count(*) FROM payments p WHERE p.merchant_id = m.id AND p.status = 'TRADE_SUCCESS' AND p.accounting_date BETWEEN $2 AND $3)
			       + (SELECT count(*) FROM refunds r WHERE r.merchant_id = m.id AND r.status = 'TRADE_SUCCESS' AND r.accounting_date BETWEEN $2 AND $3)
			       + (SELECT count(*) FROM withdrawals w WHERE w.merchant_id = m.id AND w.accounting_date BETWEEN $2 AND $3))::text AS n
			   FROM merchants m WHERE m.merchant_no = $1`,
			[DEMO.merchantNo, from, yesterday]
		);
		expect(Number(n)).toBeGreaterThan(0);
		expect(rows).toHaveLength(Number(n));
		expect(await row.innerText()).toContain(`${n} / ${n}`);
		const dates = rows.map((r) => r[7]);
		expect(dates).toEqual([...dates].sort());
		expect(dates.every((d) => d >= from && d <= yesterday)).toBe(true);
		// Then the range's 汇总 and 余额核对.
		expect(lines[blank + 1]).toEqual(['汇总']);
		expect(lines.some((l) => l.length === 1 && l[0] === '余额核对')).toBe(true);
	});

	it("answers 404 for a file id that is not this merchant's", async () => {
		const r = await page.request.get('/files/999999999');
		expect(r.status()).toBe(404);
	});
});
