// 筛选列, 导出 and 打印 on 导出记录 and on 参数管理's 微信 key table (issue 12, point 11), as the
// admin would use them: a hidden column stays hidden after a reload, 导出 is built in the
// background and fetched from 导出记录 with the shown columns, and the file of the key table says
// 已设置 where the table does, never the secret itself; on paper the buttons are gone.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { parseCsv } from '../fixtures/csv.ts';
import { buildExportNow, closeBrowser, DEMO, readyExportFile, signedInBrowser, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const sql = sqlOn(databaseUrl);
let browser: Browser;
let page: Page;

const SECRET_MARK = 'SEALED-SECRET-e2e-51b7';
const MCH_ID = '1900012345';

beforeAll(async () => {
	({ browser, page } = await signedInBrowser(baseUrl));
}, 120_000);
afterAll(async () => {
	await closeBrowser(browser);
});

/** The newest export after `after`, built at once with the job's own function (no worker runs here), then its CSV from 导出记录. */
async function buildAndDownload(after: string): Promise<{ header: string[]; rows: string[][]; text: string; list: string }> {
	const [exp] = await sql<{ id: string; list_key: string }>(`SELECT id::text, list_key FROM exports WHERE id > $1 ORDER BY id DESC LIMIT 1`, [after]);
	expect(exp).toBeDefined();
	await buildExportNow(databaseUrl, exp.id);
	const { body } = await readyExportFile(page, exp.id);
	const text = body.toString('utf8').replace(/^\uFEFF/, '');
	const [header, ...rows] = parseCsv(text);
	return { header, rows, text, list: exp.list_key };
}

const lastExportId = async () => (await sql<{ last: string }>(`SELECT coalesce(max(id), 0)::text AS last FROM exports`))[0].last;

async function exportCsv(scope: Page | ReturnType<Page['getByTestId']>) {
	await scope.getByTestId('export-button').click();
	await page.getByTestId('export-csv').click();
	await page.getByText(messages['exports.requested'].zh).first().waitFor({ timeout: 15_000 });
}

describe('导出记录', () => {
	it('筛选列 hides 导出人 (remembered), 导出 holds the shown columns, and 打印 leaves the buttons off paper', async () => {
		await page.goto('/downloads/exports');
		await page.getByTestId('exports-table').waitFor();
		const who = page.locator('th[data-column="who"]');
		expect(await who.count()).toBe(1);

		await page.getByRole('button', { name: messages['list.columns'].zh }).click();
		// the choice is saved on the server before the reload below
		const saved = page.waitForResponse((r) => r.url().includes('settings.setColumns') && r.ok());
		await page.getByRole('menuitemcheckbox', { name: messages['exports.col.who'].zh }).click();
		await saved;
		await page.keyboard.press('Escape');
		await expect.poll(() => who.count()).toBe(0);
		await page.reload();
		await page.getByTestId('exports-table').waitFor();
		expect(await who.count()).toBe(0);

		const before = await lastExportId();
		await exportCsv(page);
		const { header, list } = await buildAndDownload(before);
		expect(list).toBe('exports');
		expect(header).toEqual(['list', 'format', 'status', 'progress', 'rows', 'size', 'createdAt', 'expiresAt'].map((k) => messages[`exports.col.${k}` as keyof typeof messages].zh));

		await page.getByRole('button', { name: messages['list.columns'].zh }).click();
		const restored = page.waitForResponse((r) => r.url().includes('settings.setColumns') && r.ok());
		await page.getByRole('menuitem', { name: messages['list.columnsDefault'].zh }).click();
		await restored;
		await expect.poll(() => who.count()).toBe(1);

		await page.emulateMedia({ media: 'print' });
		expect(await page.getByRole('button', { name: messages['list.print'].zh }).isVisible()).toBe(false);
		expect(await page.getByTestId('export-button').isVisible()).toBe(false);
		expect(await page.getByTestId('exports-table').isVisible()).toBe(true);
		await page.emulateMedia({ media: 'screen' });
	});
});

describe('参数管理 → 微信', () => {
	it('the key table has 筛选列, 打印 and 导出; the file says 已设置 and carries no secret', async () => {
		const [{ id: merchantId }] = await sql<{ id: string }>(`SELECT id::text FROM merchants WHERE merchant_no = $1`, [DEMO.merchantNo]);
		await sql(
			`INSERT INTO payment_keys (merchant_id, provider, external_id, appid, sign_type, public_fields, secret_fields, fingerprints, valid_from, valid_to)
			 VALUES ($1, 'WECHAT', $2, 'wx0123456789abcdef', 'RSA2', '{}', $3, '{}', '2026-01-01', '2031-01-01')
			 ON CONFLICT DO NOTHING`,
			[merchantId, MCH_ID, JSON.stringify({ apiKey: { v: 1, iv: `${SECRET_MARK}-iv`, ct: `${SECRET_MARK}-ct`, tag: `${SECRET_MARK}-tag` } })]
		);
		await page.goto('/params/keys?tab=wechat');
		const tab = page.getByTestId('wechat-tab');
		const row = tab.locator('tbody tr', { hasText: MCH_ID });
		await row.waitFor();
		expect(await row.innerText()).toContain(messages['keys.set'].zh);

		await tab.getByRole('button', { name: messages['list.columns'].zh }).click();
		await page.getByRole('menuitemcheckbox', { name: messages['keys.appid'].zh }).click();
		await page.keyboard.press('Escape');
		await expect.poll(() => tab.locator('th[data-column="appid"]').count()).toBe(0);
		expect(await tab.getByRole('button', { name: messages['list.print'].zh }).isVisible()).toBe(true);

		const before = await lastExportId();
		await exportCsv(tab);
		const { header, rows, text, list } = await buildAndDownload(before);
		expect(list).toBe('wechatKeys');
		expect(header).not.toContain(messages['keys.appid'].zh);
		expect(header.slice(0, 3)).toEqual([messages['keys.wechat.mchId'].zh, messages['keys.signType'].zh, messages['keys.wechat.apiKey'].zh]);
		const mine = rows.find((r) => r[0] === MCH_ID);
		expect(mine?.slice(0, 3)).toEqual([MCH_ID, 'RSA2', messages['keys.set'].zh]);
		expect(text).not.toContain(SECRET_MARK);

		// back to every column for the tests after this one
		await page.goto('/params/keys?tab=wechat');
		await page.getByTestId('wechat-tab').getByRole('button', { name: messages['list.columns'].zh }).click();
		const restored = page.waitForResponse((r) => r.url().includes('settings.setColumns') && r.ok());
		await page.getByRole('menuitem', { name: messages['list.columnsDefault'].zh }).click();
		await restored;
	});
});
