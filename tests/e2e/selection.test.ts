// Row selection (issue 12, point 3), as the admin would: on 支付订单查询 the page's select-all
// chooses every row (partly chosen shows as mixed) and a new page starts with none chosen;
// three ticked rows exported with 导出所选 come back from 导出记录 as exactly those three rows.
// On 操作员, two chosen operators are disabled together and both read 停用.
import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { csvId, parseCsv } from '../fixtures/csv.ts';
import { buildExportNow, closeBrowser, DEMO, readyExportFile, signedInBrowser, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const sql = sqlOn(databaseUrl);
let browser: Browser;
let page: Page;

beforeAll(async () => {
	({ browser, page } = await signedInBrowser(baseUrl));
}, 120_000);
afterAll(async () => {
	await closeBrowser(browser);
});

const selectedText = () => page.getByTestId('list-selected');
const rowBoxes = () => page.getByTestId('select-row');
const pageBox = () => page.getByTestId('select-page');

/** The 商户支付单号 cell of the row whose check box is `box`. */
async function orderNoOf(index: number): Promise<string> {
	const column = await page.locator('thead th').evaluateAll((ths) => ths.findIndex((th) => th.getAttribute('data-column') === 'merchantOrderNo'));
	expect(column).toBeGreaterThan(0);
	return (await page.locator('tbody tr').nth(index).locator('td').nth(column).innerText()).trim();
}

describe('row selection on 支付订单查询', () => {
	it('select-all chooses the page, partly chosen is mixed, and another page starts with none chosen', async () => {
		await page.goto('/trade/payments');
		await page.locator('[data-list][data-ready]').waitFor({ timeout: 30_000 });
		const rows = await rowBoxes().count();
		expect(rows).toBe(20);
		expect(await selectedText().count()).toBe(0);

		await pageBox().click();
		await expect.poll(() => selectedText().innerText()).toBe('已选 20 条');
		expect(await pageBox().getAttribute('aria-checked')).toBe('true');
		for (let i = 0; i < rows; i++) expect(await rowBoxes().nth(i).getAttribute('aria-checked')).toBe('true');

		await rowBoxes().nth(3).click();
		await expect.poll(() => selectedText().innerText()).toBe('已选 19 条');
		expect(await pageBox().getAttribute('aria-checked')).toBe('mixed');
		expect(await rowBoxes().nth(3).getAttribute('aria-checked')).toBe('false');

		// mixed → all, then all → none
		await pageBox().click();
		await expect.poll(() => selectedText().innerText()).toBe('已选 20 条');
		await pageBox().click();
		await selectedText().waitFor({ state: 'detached' });
		expect(await pageBox().getAttribute('aria-checked')).toBe('false');

		// the check boxes are named for screen readers, and never printed
		expect(await pageBox().getAttribute('aria-label')).toBe(messages['list.selectPage'].zh);
		expect(await rowBoxes().first().getAttribute('aria-label')).toBe(messages['list.selectRow'].zh);
		await page.emulateMedia({ media: 'print' });
		expect(await pageBox().isVisible()).toBe(false);
		expect(await rowBoxes().first().isVisible()).toBe(false);
		await page.emulateMedia({ media: 'screen' });

		// page 2: nothing chosen
		await rowBoxes().nth(0).click();
		await expect.poll(() => selectedText().innerText()).toBe('已选 1 条');
		await page.getByRole('link', { name: messages['list.next'].zh }).click();
		await page.waitForURL((u) => u.searchParams.get('page') === '2');
		await selectedText().waitFor({ state: 'detached' });
		await expect.poll(async () => (await rowBoxes().first().getAttribute('aria-checked')) ?? '').toBe('false');
	});

	it('导出所选 of three rows: 导出记录 says 所选 3 条 and the file holds exactly those rows', async () => {
		await page.goto('/trade/payments');
		await page.locator('[data-list][data-ready]').waitFor({ timeout: 30_000 });
		const picks = [1, 4, 8];
		const chosen: string[] = [];
		for (const i of picks) {
			await rowBoxes().nth(i).click();
			chosen.push(await orderNoOf(i));
		}
		expect(new Set(chosen).size).toBe(3);
		await expect.poll(() => selectedText().innerText()).toBe('已选 3 条');

		const [{ last }] = await sql<{ last: string }>(`SELECT coalesce(max(id), 0)::text AS last FROM exports`);
		await page.getByTestId('export-selected-button').click();
		await page.getByTestId('export-selected-csv').click();
		await page.getByText(messages['exports.requested'].zh).waitFor({ timeout: 15_000 });
		const [exp] = await sql<{ id: string; selected: number }>(`SELECT id::text, cardinality(selected_ids) AS selected FROM exports WHERE id > $1 ORDER BY id DESC LIMIT 1`, [last]);
		expect(exp.selected).toBe(3);

		await buildExportNow(databaseUrl, exp.id);

		const { row, body } = await readyExportFile(page, exp.id);
		expect(await row.getByTestId('export-selected').innerText()).toContain('所选 3 条');
		const [header, ...lines] = parseCsv(body.toString('utf8').replace(/^\uFEFF/, ''));
		const col = header.indexOf(messages['payment.merchantOrderNo'].zh);
		expect(col).toBeGreaterThanOrEqual(0);
		// the list's order (newest first), which is the order they were ticked in from the top
		expect(lines.map((l) => l[col])).toEqual(chosen.map(csvId));
	});
});

describe('bulk 停用 on 操作员', () => {
	it('two chosen operators are disabled together and both read 停用', async () => {
		const tag = `批量${randomInt(1000, 9999)}`;
		const names = [`${tag}甲`, `${tag}乙`];
		const [{ id: merchantId }] = await sql<{ id: string }>(`SELECT id::text FROM merchants WHERE merchant_no = $1`, [DEMO.merchantNo]);
		for (const name of names)
			await sql(`INSERT INTO staff (merchant_id, is_admin, name, phone, password_hash, must_change_password) VALUES ($1, false, $2, $3, 'x', true)`, [
				merchantId,
				name,
				`135${String(randomInt(0, 1e8)).padStart(8, '0')}`
			]);

		await page.goto(`/admin/operators?name=${encodeURIComponent(tag)}`);
		await page.locator('[data-list][data-ready]').waitFor({ timeout: 30_000 });
		expect(await rowBoxes().count()).toBe(2);
		await pageBox().click();
		await expect.poll(() => selectedText().innerText()).toBe('已选 2 条');
		page.once('dialog', (d) => {
			expect(d.message()).toContain('2 名操作员');
			void d.accept();
		});
		await page.getByTestId('bulk-disable').click();
		await page.getByText(messages['operators.bulkDisabled'].zh).waitFor({ timeout: 15_000 });
		for (const name of names) await expect.poll(() => page.locator('tr', { hasText: name }).innerText()).toContain('停用');
		// after the reload nothing is chosen any more
		expect(await selectedText().count()).toBe(0);

		const rows = await sql<{ status: string }>(`SELECT status FROM staff WHERE merchant_id = $1 AND name = ANY($2) ORDER BY name`, [merchantId, names]);
		expect(rows.map((r) => r.status)).toEqual(['DISABLED', 'DISABLED']);
	});
});
