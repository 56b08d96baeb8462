import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { formatYuan } from '#shared/money.ts';
import { CARD_ACCOUNTS, flowSumsByAccount, type FlowSums } from './balances.ts';
import { closeBrowser, DEMO, signedInBrowser } from './helpers.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
let browser: Browser;
let page: Page;
let sums: Record<string, FlowSums>;

beforeAll(async () => {
	sums = await flowSumsByAccount(databaseUrl, DEMO.merchantNo);
	({ browser, page } = await signedInBrowser(baseUrl));
});
afterAll(async () => {
	await closeBrowser(browser);
});

/** The card whose title is exactly the account's name. */
function card(title: string) {
	return page.locator('[data-slot="card"]').filter({ has: page.locator('[data-slot="card-title"]', { hasText: title }) });
}

/** The card's text as lines: each amount follows its label (总金额 / 待结算 / 可用). */
async function amountsOn(title: string): Promise<{ total: string; psettle: string; available: string }> {
	const lines = (await card(title).innerText()).split('\n').map((l) => l.trim()).filter(Boolean);
	const after = (label: string) => {
		const i = lines.indexOf(label);
		const m = i >= 0 ? /-?[\d,]+\.\d{2}/.exec(lines[i + 1] ?? '') : null;
		return m ? m[0] : `(no amount after "${label}" in ${JSON.stringify(lines)})`;
	};
	return {
		total: after(messages['accounts.total'].zh),
		psettle: after(messages['accounts.psettle'].zh),
		available: after(messages['accounts.available'].zh)
	};
}

describe('home page (平台账户)', () => {
	it('lands on the home page with the four balance cards after signing in as the demo admin', async () => {
		expect(new URL(page.url()).pathname).toBe('/');
		for (const { title } of CARD_ACCOUNTS) await expect.poll(() => card(title).count(), { timeout: 10_000 }).toBe(1);
	});

	it('has money on the cards (so the comparison below is not a comparison of zeros)', () => {
		const nonZero = CARD_ACCOUNTS.filter(({ type }) => sums[type].total !== 0n);
		expect(nonZero.length).toBeGreaterThanOrEqual(2);
	});

	for (const { type, title } of CARD_ACCOUNTS) {
		it(`${title} shows exactly the SQL sum of its fund flows`, async () => {
			const s = sums[type];
			expect(await amountsOn(title)).toEqual({
				total: formatYuan(s.total, { grouping: true }),
				psettle: formatYuan(s.psettle, { grouping: true }),
				available: formatYuan(s.available, { grouping: true })
			});
		});
	}
});
