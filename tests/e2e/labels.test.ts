// Issue 12, point 6, in the browser: the labels as the manual gives them — each list's two panel
// headings, 请输入… placeholders on the filters, 账户种类 and 结算状态 on the fund-flow filters,
// 启用/停用 for an operator's status, 对账文件下载, 添加微信密钥信息 with 立即提交 / 返回, and
// 提交 / 返回 on the team forms.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeBrowser, signedInBrowser } from './helpers.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let page: Page;

beforeAll(async () => {
	({ browser, page } = await signedInBrowser(baseUrl));
});
afterAll(async () => {
	await closeBrowser(browser);
});

async function panels(path: string): Promise<{ filter: string; list: string }> {
	await page.goto(path);
	const filter = page.getByTestId('filter-title');
	await filter.waitFor();
	return { filter: await filter.innerText(), list: await page.getByTestId('list-title').innerText() };
}

/** The filter labels of the list page, in order. */
async function filterLabels(): Promise<string[]> {
	return (await page.getByTestId('filter-bar').locator('label').allInnerTexts()).map((l) => l.trim());
}

describe('the manual’s labels', () => {
	it('each list’s filter panel and list panel are headed as the manual heads them', async () => {
		expect(await panels('/trade/payments')).toEqual({ filter: '付款单查询', list: '付款订单列表' });
		expect(await panels('/trade/refunds')).toEqual({ filter: '退款单查询', list: '退款单列表' });
		expect(await panels('/trade/withdrawals')).toEqual({ filter: '提现单查询', list: '提现单列表' });
		expect(await panels('/trade/flows')).toEqual({ filter: '资金流水单查询', list: '资金流水列表' });
		expect(await panels('/users')).toEqual({ filter: '用户查询', list: '用户列表' });
		expect(await panels('/admin/roles')).toEqual({ filter: '角色信息查询', list: '查询结果' });
	});

	it('text filters say 请输入 and what to enter', async () => {
		await page.goto('/trade/payments');
		expect(await page.locator('#filter-merchantOrderNo').getAttribute('placeholder')).toBe('请输入商户支付单号');
		expect(await page.locator('#filter-userNo').getAttribute('placeholder')).toBe('请输入用户号');
		await page.goto('/users');
		expect(await page.locator('#filter-phone').getAttribute('placeholder')).toBe('请输入开户手机号');
	});

	it('资金流水查询 and 资金明细 filter by 账户种类 and 结算状态 (账户小类 is the column with the account’s name)', async () => {
		await page.goto('/trade/flows');
		const flows = await filterLabels();
		expect(flows).toEqual(expect.arrayContaining(['账户种类', '结算状态', '交易类型', '出入账标识']));
		expect(flows).not.toContain('账户小类');
		const settle = await page.getByLabel('结算状态').locator('option').allInnerTexts();
		expect(settle).toEqual(['全部', '待结算', '可用']);

		await page.goto('/accounts/flows');
		await page.getByTestId('filter-bar').waitFor();
		const account = await filterLabels();
		expect(account).toEqual(expect.arrayContaining(['账户种类', '结算状态']));
		expect(account).not.toContain('账户');
		expect(await page.getByLabel('账户种类').locator('option').allInnerTexts()).toEqual(['全部', '优惠券账户', '手续费账户', '自有资金账户', '担保账户']);
	});

	it('an operator’s status reads 启用 / 停用', async () => {
		await page.goto('/admin/operators');
		expect(await page.getByLabel('状态').locator('option').allInnerTexts()).toEqual(['全部', '启用', '停用']);
	});

	it('team forms submit with 提交 and go back with 返回', async () => {
		await page.goto('/admin/roles');
		await page.getByRole('button', { name: '新增角色' }).click();
		const dialog = page.getByRole('dialog');
		await dialog.getByRole('button', { name: '提交', exact: true }).waitFor();
		await dialog.getByRole('button', { name: '返回' }).click();
		await dialog.waitFor({ state: 'detached' });
	});

	it('对账文件下载 heads the statement calendar', async () => {
		await page.goto('/downloads/statements');
		expect(await page.getByTestId('statement-panel').innerText()).toBe('对账文件下载');
	});

	it('添加微信商户号 opens 添加微信密钥信息, with 请选择 heading the key type, 立即提交 and 返回', async () => {
		await page.goto('/params/keys?tab=wechat');
		await page.getByRole('button', { name: '添加微信商户号' }).click();
		const dialog = page.getByRole('dialog');
		expect(await dialog.getByRole('heading').first().innerText()).toBe('添加微信密钥信息');
		expect(await dialog.locator('#wx-signType option').allInnerTexts()).toEqual(['请选择', 'RSA', 'RSA2']);
		expect(await dialog.locator('#wx-signType').inputValue()).toBe('RSA2');
		expect(await dialog.locator('#wx-mchId').getAttribute('placeholder')).toMatch(/^请输入/);
		await dialog.getByRole('button', { name: '立即提交' }).waitFor();
		await dialog.getByRole('button', { name: '返回' }).click();
		await dialog.waitFor({ state: 'detached' });
	});
});
