// 支付订单查询 as a new operator uses it: search by 交易类型 and 交易状态, read the total, open a
// payment, go on to its refund and come back with the filter intact; page through; choose columns
// and find them kept after signing in again. What the page shows is compared with SQL.
import type { Browser, Page } from 'playwright-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages, type MessageKey } from '#shared/i18n/messages.ts';
import { formatYuan, formatYuanLabel } from '#shared/money.ts';
import { addDays, businessDate, formatDateTime, startOfBusinessDate } from '#shared/time.ts';
import { closeBrowser, DEMO, newPage, signedInBrowser, signIn } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const zh = (key: MessageKey, params: Record<string, string | number> = {}) =>
	Object.entries(params).reduce<string>((s, [k, v]) => s.replaceAll(`{${k}}`, String(v)), messages[key].zh);

let browser: Browser;
let page: Page;
let db: pg.Client;

// The list's default window: the last 7 business days, today included.
const today = businessDate();
const rangeFrom = startOfBusinessDate(addDays(today, -6));
const rangeTo = startOfBusinessDate(addDays(today, 1));

interface Target {
	paymentId: string;
	merchantOrderNo: string;
	txnType: string;
	status: string;
	refundId: string;
	refundNo: string;
}
let target: Target;

async function matching(txnType: string, status: string): Promise<{ count: number; amount: bigint; orderNos: string[] }> {
	const { rows } = await db.query<{ merchant_order_no: string; amount: string }>(
		`SELECT p.merchant_order_no, p.amount::text AS amount
		   FROM payments p JOIN merchants m ON m.id = p.merchant_id
		  WHERE m.merchant_no = $1 AND p.txn_type = $2 AND p.status = $3 AND p.created_at >= $4 AND p.created_at < $5
		  ORDER BY p.created_at DESC, p.id DESC`,
		[DEMO.merchantNo, txnType, status, rangeFrom, rangeTo]
	);
	return { count: rows.length, amount: rows.reduce((s, r) => s + BigInt(r.amount), 0n), orderNos: rows.map((r) => r.merchant_order_no) };
}

/** The total line as shown: 共 N 条 and 金额: X元. */
async function totalLine(): Promise<string> {
	return (await page.getByTestId('list-total').innerText()).replace(/\s+/g, ' ').trim();
}

/** The text of one column of the shown table, by its header. */
async function column(header: string): Promise<string[]> {
	const headers = (await page.locator('main table thead th').allInnerTexts()).map((h) => h.trim());
	const i = headers.indexOf(header);
	if (i < 0) throw new Error(`no column "${header}" in ${JSON.stringify(headers)}`);
	return (await page.locator(`main table tbody tr td:nth-child(${i + 1})`).allInnerTexts()).map((c) => c.trim());
}

async function headers(): Promise<string[]> {
	return (await page.locator('main table thead th').allInnerTexts()).map((h) => h.trim());
}

/** The list is on screen and interactive (hydrated: its buttons work, not just its links). */
async function listReady(p: Page = page) {
	await p.locator('[data-list][data-ready]').waitFor({ timeout: 30_000 });
}

/** A detail page is interactive: its 返回 knows where to go. */
async function detailReady(p: Page = page) {
	await p.locator('main a[data-ready]', { hasText: zh('list.back') }).waitFor({ timeout: 30_000 });
}

async function waitForList(search: (params: URLSearchParams) => boolean) {
	await page.waitForURL((url) => url.pathname === '/trade/payments' && search(url.searchParams), { timeout: 30_000 });
	await page.waitForLoadState('networkidle');
	await listReady();
}

beforeAll(async () => {
	db = new pg.Client({ connectionString: databaseUrl });
	await db.connect();
	// A payment inside the default window that has a refund: the filter is taken from it.
	const { rows } = await db.query<{ payment_id: string; merchant_order_no: string; txn_type: string; status: string; refund_id: string; refund_no: string }>(
		`SELECT p.id::text AS payment_id, p.merchant_order_no, p.txn_type, p.status, r.id::text AS refund_id, r.refund_no
		   FROM payments p JOIN merchants m ON m.id = p.merchant_id JOIN refunds r ON r.payment_id = p.id
		  WHERE m.merchant_no = $1 AND p.created_at >= $2 AND p.created_at < $3
		  ORDER BY p.created_at DESC, r.id LIMIT 1`,
		[DEMO.merchantNo, rangeFrom, rangeTo]
	);
	if (!rows.length) throw new Error('the e2e seed has no refunded payment in the last 7 days');
	const r = rows[0];
	target = { paymentId: r.payment_id, merchantOrderNo: r.merchant_order_no, txnType: r.txn_type, status: r.status, refundId: r.refund_id, refundNo: r.refund_no };

	({ browser, page } = await signedInBrowser(baseUrl));
});
afterAll(async () => {
	await closeBrowser(browser);
	await db?.end();
});

describe('支付订单查询 (payment orders)', () => {
	it('opens from the menu with the last 7 days filled in and the total of that window', async () => {
		await page.getByRole('link', { name: zh('menu.trade.payments') }).click();
		await page.waitForURL((url) => url.pathname === '/trade/payments');
		await listReady();
		await expect.poll(() => page.getByRole('heading', { name: zh('menu.trade.payments') }).count()).toBe(1);
		expect(await page.getByLabel(zh('payment.createdRange')).first().inputValue()).toBe(addDays(today, -6));
		expect(await page.locator('input[name="to"]').inputValue()).toBe(today);
		const { rows } = await db.query<{ n: string; s: string }>(
			`SELECT count(*)::text AS n, COALESCE(sum(p.amount), 0)::text AS s FROM payments p JOIN merchants m ON m.id = p.merchant_id
			  WHERE m.merchant_no = $1 AND p.created_at >= $2 AND p.created_at < $3`,
			[DEMO.merchantNo, rangeFrom, rangeTo]
		);
		expect(Number(rows[0].n)).toBeGreaterThan(0);
		expect(await totalLine()).toBe(`${zh('list.count', { count: rows[0].n })} ${zh('list.amount')}: ${formatYuanLabel(BigInt(rows[0].s))}`);
	});

	it('searches by 交易类型 and 交易状态: the URL, the rows and the total follow', async () => {
		await page.getByLabel(zh('payment.txnType')).selectOption({ label: zh(`enum.txnType.${target.txnType}` as MessageKey) });
		await page.getByLabel(zh('payment.status')).selectOption({ label: zh(`enum.paymentStatus.${target.status}` as MessageKey) });
		await page.getByRole('button', { name: zh('list.search') }).click();
		await waitForList((p) => p.get('txnType') === target.txnType && p.get('status') === target.status);
		// Empty fields stay out of a shared link.
		expect([...new URL(page.url()).searchParams.keys()].sort()).toEqual(['from', 'status', 'to', 'txnType']);

		const want = await matching(target.txnType, target.status);
		await expect.poll(() => totalLine()).toBe(`${zh('list.count', { count: want.count })} ${zh('list.amount')}: ${formatYuanLabel(want.amount)}`);
		expect(await column(zh('payment.merchantOrderNo'))).toEqual(want.orderNos.slice(0, 20));
		const types = new Set(await column(zh('payment.txnType')));
		expect([...types]).toEqual([zh(`enum.txnType.${target.txnType}` as MessageKey)]);
		const statuses = new Set(await column(zh('payment.status')));
		expect([...statuses]).toEqual([zh(`enum.paymentStatus.${target.status}` as MessageKey)]);
	});

	it('opens a payment from the list and comes back to the same filtered list', async () => {
		const listUrl = page.url();
		const first = (await column(zh('payment.merchantOrderNo')))[0];
		await page.locator('main table tbody tr').first().getByRole('link', { name: zh('list.detail') }).click();
		await page.waitForURL(/\/trade\/payments\/\d+$/);
		await detailReady();
		await expect.poll(() => page.getByRole('heading', { name: zh('payment.detailTitle') }).count()).toBe(1);
		for (const section of ['payment.section.basic', 'payment.section.merchant', 'payment.section.payer', 'payment.section.payee', 'payment.section.flows', 'payment.section.secured'] as const)
			expect(await page.getByText(zh(section), { exact: true }).count(), section).toBeGreaterThan(0);
		const { rows } = await db.query<{ amount: string; platform_txn_no: string; created_at: Date }>(
			`SELECT amount::text AS amount, platform_txn_no, created_at FROM payments WHERE id = $1`,
			[page.url().split('/').pop()]
		);
		const main = await page.locator('main').innerText();
		expect(main).toContain(first);
		expect(main).toContain(rows[0].platform_txn_no);
		expect(main).toContain(formatYuan(BigInt(rows[0].amount), { grouping: true }));
		expect(main).toContain(formatDateTime(rows[0].created_at));

		await page.getByRole('link', { name: zh('list.back') }).click();
		await page.waitForURL(listUrl);
		await listReady();
		expect(await page.getByLabel(zh('payment.txnType')).inputValue()).toBe(target.txnType);
		expect(await page.getByLabel(zh('payment.status')).inputValue()).toBe(target.status);
	});

	it('goes from a payment to its refund and back, twice, to the list with the filter intact', async () => {
		await page.getByLabel(zh('payment.merchantOrderNo')).fill(target.merchantOrderNo);
		await page.getByRole('button', { name: zh('list.search') }).click();
		await waitForList((p) => p.get('merchantOrderNo') === target.merchantOrderNo);
		const listUrl = page.url();
		expect(await column(zh('payment.merchantOrderNo'))).toEqual([target.merchantOrderNo]);

		await page.getByRole('link', { name: zh('list.detail') }).click();
		await page.waitForURL(`${baseUrl}/trade/payments/${target.paymentId}`);
		await detailReady();
		await page.getByRole('link', { name: target.refundNo }).click();
		await page.waitForURL(`${baseUrl}/trade/refunds/${target.refundId}`);
		await detailReady();
		await expect.poll(() => page.getByRole('heading', { name: zh('refund.detailTitle') }).count()).toBe(1);
		const { rows } = await db.query<{ amount: string }>(`SELECT amount::text AS amount FROM refunds WHERE id = $1`, [target.refundId]);
		const main = await page.locator('main').innerText();
		expect(main).toContain(target.refundNo);
		expect(main).toContain(target.merchantOrderNo);
		expect(main).toContain(formatYuan(BigInt(rows[0].amount), { grouping: true }));

		// 返回 from the refund leads to the payment it came from, 返回 again to the list.
		await page.getByRole('link', { name: zh('list.back') }).click();
		await page.waitForURL(`${baseUrl}/trade/payments/${target.paymentId}`);
		await detailReady();
		await page.getByRole('link', { name: zh('list.back') }).click();
		await page.waitForURL(listUrl);
		await listReady();
		expect(await page.getByLabel(zh('payment.merchantOrderNo')).inputValue()).toBe(target.merchantOrderNo);
		expect(await page.getByLabel(zh('payment.txnType')).inputValue()).toBe(target.txnType);
		expect(await page.getByLabel(zh('payment.status')).inputValue()).toBe(target.status);
		expect(await column(zh('payment.merchantOrderNo'))).toEqual([target.merchantOrderNo]);
	});

	it('a detail reloaded in the same tab still goes back to the filtered list', async () => {
		const listUrl = page.url();
		expect(new URL(listUrl).searchParams.get('merchantOrderNo')).toBe(target.merchantOrderNo);
		await page.goto(`/trade/payments/${target.paymentId}`);
		await detailReady();
		await page.getByRole('link', { name: zh('list.back') }).click();
		await page.waitForURL(listUrl);
		await listReady();
		expect(await column(zh('payment.merchantOrderNo'))).toEqual([target.merchantOrderNo]);
	});

	it('a detail opened from a shared link has a 返回 that leads to the list', async () => {
		const fresh = await newPage(browser, baseUrl);
		await signIn(fresh, DEMO);
		await fresh.goto(`/trade/refunds/${target.refundId}`);
		await detailReady(fresh);
		await fresh.getByRole('link', { name: zh('list.back') }).click();
		await fresh.waitForURL((url) => url.pathname === '/trade/refunds');
		await expect.poll(() => fresh.getByRole('heading', { name: zh('menu.trade.refunds') }).count()).toBe(1);
		await fresh.context().close();
	});

	it('shows 无数据 for a filter that matches nothing, and says why a too-long range is refused', async () => {
		await page.goto('/trade/payments?merchantOrderNo=NO-SUCH-ORDER-42');
		await expect.poll(() => page.getByText(zh('list.empty'), { exact: true }).count()).toBe(1);
		expect(await totalLine()).toBe(`${zh('list.count', { count: 0 })} ${zh('list.amount')}: ${formatYuanLabel(0n)}`);

		await page.goto(`/trade/payments?from=${addDays(today, -120)}&to=${today}`);
		await expect.poll(() => page.getByRole('alert').filter({ hasText: zh('lists.rangeTooLong') }).count()).toBe(1);
	});

	it('pages through 10 at a time, jumps to the last page, and each page holds the rows SQL puts there', async () => {
		await page.goto(`/trade/payments?txnType=${target.txnType}&status=${target.status}`);
		await listReady();
		const want = await matching(target.txnType, target.status);
		await page.getByLabel(zh('list.pageSize')).selectOption({ label: zh('list.perPage', { size: 10 }) });
		await waitForList((p) => p.get('size') === '10');
		await expect.poll(() => column(zh('payment.merchantOrderNo'))).toEqual(want.orderNos.slice(0, 10));
		const pages = Math.ceil(want.count / 10);
		if (pages < 2) throw new Error(`need at least 2 pages of ${target.txnType}/${target.status}, have ${want.count} rows`);

		await page.getByRole('navigation', { name: zh('list.pagination') }).getByRole('link', { name: '2', exact: true }).click();
		await waitForList((p) => p.get('page') === '2');
		await expect.poll(() => column(zh('payment.merchantOrderNo'))).toEqual(want.orderNos.slice(10, 20));
		expect(await page.getByRole('navigation', { name: zh('list.pagination') }).locator('[aria-current="page"]').innerText()).toBe('2');

		await page.getByLabel(zh('list.jumpLabel', { pages })).fill(String(pages));
		await page.getByRole('button', { name: zh('list.jumpGo') }).click();
		await waitForList((p) => p.get('page') === String(pages));
		await expect.poll(() => column(zh('payment.merchantOrderNo'))).toEqual(want.orderNos.slice((pages - 1) * 10));

		// Back goes to page 2, exactly as it was.
		await page.goBack();
		await waitForList((p) => p.get('page') === '2');
		await expect.poll(() => column(zh('payment.merchantOrderNo'))).toEqual(want.orderNos.slice(10, 20));
	});

	it('remembers the chosen columns for the person, across signing out and in again', async () => {
		await page.goto('/trade/payments');
		await listReady();
		expect(await headers()).toContain(zh('payment.memo'));
		await page.getByRole('button', { name: zh('list.columns') }).click();
		await page.getByRole('menuitemcheckbox', { name: zh('payment.memo') }).click();
		await page.keyboard.press('Escape');
		await expect.poll(() => headers()).not.toContain(zh('payment.memo'));
		// The choice is saved on the server for this person.
		await expect
			.poll(async () => (await db.query(`SELECT columns FROM column_prefs c JOIN staff s ON s.id = c.staff_id JOIN merchants m ON m.id = s.merchant_id WHERE m.merchant_no = $1 AND s.phone = $2 AND c.list_key = 'payments'`, [DEMO.merchantNo, DEMO.phone])).rows[0]?.columns)
			.toEqual(['merchantOrderNo', 'txnType', 'amount', 'status', 'createdAt']);

		await page.getByRole('button', { name: zh('app.logout') }).click();
		await page.waitForURL((url) => url.pathname === '/login');
		await signIn(page, DEMO);
		await page.goto('/trade/payments');
		await listReady();
		expect(await headers()).toEqual([
			// the row check boxes' column: its select-all has a label, no text
			'',
			zh('payment.merchantOrderNo'),
			zh('payment.txnType'),
			zh('payment.amount'),
			zh('payment.status'),
			zh('payment.createdAt'),
			zh('list.actions')
		]);

		// And back to the defaults, from the same menu.
		await page.getByRole('button', { name: zh('list.columns') }).click();
		await page.getByRole('menuitem', { name: zh('list.columnsDefault') }).click();
		await expect.poll(() => headers()).toContain(zh('payment.memo'));
	});
});

describe('资金明细 of 自有资金账户', () => {
	it('shows money in and money out apart, each equal to the SQL sums of its flows', async () => {
		const { rows } = await db.query<{ n: string; credit: string; debit: string }>(
			`SELECT count(*)::text AS n,
			        coalesce(sum(f.amount) FILTER (WHERE f.direction = 'CREDIT'), 0)::text AS credit,
			        coalesce(sum(f.amount) FILTER (WHERE f.direction = 'DEBIT'), 0)::text AS debit
			   FROM fund_flows f JOIN accounts a ON a.id = f.account_id JOIN merchants m ON m.id = f.merchant_id
			  WHERE m.merchant_no = $1 AND a.user_id IS NULL AND a.account_type = 'MCHOWN' AND f.created_at >= $2 AND f.created_at < $3`,
			[DEMO.merchantNo, rangeFrom, rangeTo]
		);
		const want = rows[0];
		expect(BigInt(want.credit)).toBeGreaterThan(0n);
		expect(BigInt(want.debit)).toBeGreaterThan(0n);
		await page.goto('/accounts/flows?account=MCHOWN');
		await listReady();
		expect(await totalLine()).toContain(zh('list.count', { count: want.n }));
		expect(await page.getByTestId('list-total-credit').innerText()).toBe(formatYuanLabel(BigInt(want.credit)));
		expect(await page.getByTestId('list-total-debit').innerText()).toBe(formatYuanLabel(BigInt(want.debit)));
		expect(await totalLine()).not.toContain(zh('list.amount'));
	});
});
