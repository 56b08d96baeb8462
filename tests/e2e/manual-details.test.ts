// Issue 12 in the browser, on the demo merchant: the 资金流水 columns and detail read as the
// manual does (账户小类 = the account's name, 结算状态 apart; 记账类型, 交易单类型 入账/出账,
// 开始时间 / 结束时间), and the withdrawal detail has its 商户订单信息 and 付款方信息 sections with
// the card masked to the 6-digit prefix and the last four; the user list hides each name's first
// character (*李文, *佳).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatDateTime } from '#shared/time.ts';
import { closeBrowser, DEMO, signedInBrowser, sqlOn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let page: Page;

const sql = sqlOn(databaseUrl);

/** The value shown beside a label in a detail section. */
async function field(label: string): Promise<string> {
	const row = page.locator('dl > div').filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).first();
	return (await row.locator('dd').innerText()).trim();
}

beforeAll(async () => {
	({ browser, page } = await signedInBrowser(baseUrl));
});
afterAll(async () => {
	await closeBrowser(browser);
});

describe('资金流水 as the manual reads it', () => {
	it('the list shows 账户小类 as the account name and 待结算/可用 under 结算状态', async () => {
		await page.goto('/trade/flows');
		const headers = await page.locator('thead th').allInnerTexts();
		expect(headers.map((h) => h.trim())).toEqual(expect.arrayContaining(['账户小类', '结算状态']));
		const col = (name: string) => headers.findIndex((h) => h.trim() === name);
		const first = page.locator('tbody tr').first();
		const cells = await first.locator('td').allInnerTexts();
		expect(['自有资金账户', '担保账户', '优惠券账户', '手续费账户']).toContain(cells[col('账户小类')].trim());
		expect(['待结算', '可用']).toContain(cells[col('结算状态')].trim());
	});

	it('a payment flow: 记账类型 the posting mode, 交易单类型 入账/出账, 开始时间 and 结束时间 the order’s', async () => {
		const [f] = await sql<{ id: string; direction: string; sub_type: string; created_at: Date; completed_at: Date }>(
			`SELECT f.id::text, f.direction, f.sub_type, p.created_at, p.completed_at
			   FROM fund_flows f JOIN payments p ON p.id = f.order_id JOIN merchants m ON m.id = f.merchant_id
			  WHERE m.merchant_no = $1 AND f.order_kind = 'PAYMENT' AND f.user_id IS NULL AND f.account_type = 'MCHOWN' AND f.sub_type = 'PSETTLE'
			    AND p.completed_at > p.created_at
			  ORDER BY f.id DESC LIMIT 1`,
			[DEMO.merchantNo]
		);
		expect(f).toBeTruthy();
		await page.goto(`/trade/flows/${f.id}`);
		await page.getByText('资金流水信息').waitFor();
		expect(await field('记账类型')).toBe(f.direction === 'CREDIT' ? '即时记账待结算入账' : '即时记账待结算出账');
		expect(await field('交易单类型')).toBe(f.direction === 'CREDIT' ? '入账' : '出账');
		expect(await field('开始时间')).toBe(formatDateTime(f.created_at));
		expect(await field('结束时间')).toBe(formatDateTime(f.completed_at));
	});

	it('an end-of-day settlement flow: 日终结转, starting and ending with its posting', async () => {
		const [f] = await sql<{ id: string; created_at: Date }>(
			`SELECT f.id::text, f.created_at FROM fund_flows f JOIN merchants m ON m.id = f.merchant_id
			  WHERE m.merchant_no = $1 AND f.txn_type = 'DAILY_SETTLEMENT' AND f.user_id IS NULL AND f.direction = 'CREDIT' AND f.account_type = 'MCHOWN'
			  ORDER BY f.id DESC LIMIT 1`,
			[DEMO.merchantNo]
		);
		await page.goto(`/trade/flows/${f.id}`);
		await page.getByText('资金流水信息').waitFor();
		expect(await field('记账类型')).toBe('日终结转入账');
		expect(await field('交易单类型')).toBe('入账');
		expect(await field('开始时间')).toBe(formatDateTime(f.created_at));
		expect(await field('结束时间')).toBe(formatDateTime(f.created_at));
	});
});

describe('提现订单详情 as the manual lays it out', () => {
	it('has 订单基本信息, 商户订单信息, 付款方信息 and 收款方信息, the card masked to 6 + 4', async () => {
		const [w] = await sql<{ id: string; merchant_order_no: string; card_no: string; user_no: string | null }>(
			`SELECT w.id::text, w.merchant_order_no, w.card_no, u.user_no FROM withdrawals w JOIN merchants m ON m.id = w.merchant_id LEFT JOIN users u ON u.id = w.user_id
			  WHERE m.merchant_no = $1 AND w.user_id IS NOT NULL ORDER BY w.id DESC LIMIT 1`,
			[DEMO.merchantNo]
		);
		await page.goto(`/trade/withdrawals/${w.id}`);
		const titles = (await page.locator('[data-slot="card-title"]').allInnerTexts()).map((x) => x.trim());
		expect(titles).toEqual(expect.arrayContaining(['订单基本信息', '商户订单信息', '付款方信息', '收款方信息']));
		expect(await field('外部提现单号')).toBe(w.merchant_order_no);
		expect(await field('付款方类型')).toBe('用户');
		expect(await field('付款方ID')).toBe(w.user_no);
		expect(await field('付款方账户类型')).toBe('用户账户');
		expect(await field('收款方类型')).toBe('银行卡');
		expect(await field('收款卡号')).toBe(`${w.card_no.slice(0, 6)}${'*'.repeat(w.card_no.length - 10)}${w.card_no.slice(-4)}`);
		expect(await page.locator('main').innerText()).not.toContain(w.card_no);
	});
});

describe('用户管理 masks as the manual shows them', () => {
	it('names hide the first character, on the list and in the detail with its cards', async () => {
		const users = await sql<{ id: string; user_no: string; name: string; phone: string; card_no: string }>(
			`SELECT u.id::text, u.user_no, u.name, u.phone, c.card_no FROM users u JOIN merchants m ON m.id = u.merchant_id JOIN bank_cards c ON c.user_id = u.id
			  WHERE m.merchant_no = $1 ORDER BY u.id, c.id LIMIT 1`,
			[DEMO.merchantNo]
		);
		const u = users[0];
		await page.goto(`/users?userNo=${encodeURIComponent(u.user_no)}`);
		const row = page.locator('tbody tr', { hasText: u.user_no });
		await row.waitFor();
		const text = await row.innerText();
		expect(text).toContain(`*${[...u.name].slice(1).join('')}`);
		expect(text).toContain(`${u.phone.slice(0, 3)}****${u.phone.slice(-4)}`);
		expect(text).not.toContain(u.name);
		await page.goto(`/users/${u.id}`);
		const main = await page.locator('main').innerText();
		expect(main).toContain(`${u.card_no.slice(0, 6)}${'*'.repeat(u.card_no.length - 10)}${u.card_no.slice(-4)}`);
		expect(main).not.toContain(u.card_no);
	});
});
