// The list kit's URL state: what a link says is what the list shows, and back again.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { listSearch, normalizeFilterValue, pageCount, pageItems, parseListQuery, withPage } from '#shared/components/data-list/query.ts';
import { filterSummary } from '#shared/components/data-list/summary.ts';
import { optionsOf } from '#shared/components/data-list/enums.ts';
import { translate } from '#shared/i18n/messages.ts';
import { PAYMENT_STATUSES, PAYMENT_TXN_TYPES } from '#shared/schemas/lists.ts';
import { defaultPaymentFilter, paymentFilterObject } from '#shared/schemas/payments.ts';

const defaults = defaultPaymentFilter(new Date('2026-11-25T04:00:00Z'));

describe('parseListQuery / listSearch', () => {
	it('starts from the defaults (the last 7 days) when the URL says nothing', () => {
		const q = parseListQuery(new URLSearchParams(''), defaults, paymentFilterObject);
		expect(q).toEqual({ filter: { merchantOrderNo: '', userNo: '', txnType: '', status: '', from: '2026-11-19', to: '2026-11-25' }, page: 1, pageSize: 20 });
	});

	it('reads every field, the page and the page size', () => {
		const q = parseListQuery(new URLSearchParams('txnType=GENERAL_CONSUME&status=TRADE_SUCCESS&from=2026-11-01&to=2026-11-20&page=3&size=50'), defaults, paymentFilterObject);
		expect(q.filter).toMatchObject({ txnType: 'GENERAL_CONSUME', status: 'TRADE_SUCCESS', from: '2026-11-01', to: '2026-11-20' });
		expect(q.page).toBe(3);
		expect(q.pageSize).toBe(50);
	});

	it('drops an unknown enum value, a bad page and a page size that is not offered', () => {
		const q = parseListQuery(new URLSearchParams('status=BOGUS&txnType=USER_TOPUP&page=-2&size=33'), defaults, paymentFilterObject);
		expect(q.filter.status).toBe('');
		expect(q.filter.txnType).toBe('USER_TOPUP');
		expect(q.page).toBe(1);
		expect(q.pageSize).toBe(20);
	});

	it('keeps a range the API will refuse, so the page can say why', () => {
		const q = parseListQuery(new URLSearchParams('from=2026-01-01&to=2026-11-25'), defaults, paymentFilterObject);
		expect(q.filter.from).toBe('2026-01-01');
		expect(q.filter.to).toBe('2026-11-25');
	});

	it('turns a datetime-local value into the API form', () => {
		expect(normalizeFilterValue('2026-11-25T09:30')).toBe('2026-11-25 09:30:00');
		expect(normalizeFilterValue('2026-11-25T09:30:15')).toBe('2026-11-25 09:30:15');
		expect(normalizeFilterValue(' 2026-11-25 ')).toBe('2026-11-25');
	});

	it('round-trips any filter through the query string', () => {
		const text = fc.string({ maxLength: 12 }).map((s) => s.trim());
		fc.assert(
			fc.property(
				fc.record({
					merchantOrderNo: text,
					userNo: text,
					txnType: fc.constantFrom('', ...PAYMENT_TXN_TYPES),
					status: fc.constantFrom('', ...PAYMENT_STATUSES),
					from: fc.constantFrom('', '2026-11-01', '2026-11-19 08:00:00'),
					to: fc.constantFrom('', '2026-11-25')
				}),
				fc.integer({ min: 1, max: 100_000 }),
				fc.constantFrom(10, 20, 50, 100),
				(filter, page, size) => {
					const search = listSearch(filter, page, size);
					const back = parseListQuery(new URLSearchParams(search), { ...defaults, from: '', to: '' }, paymentFilterObject);
					expect(back).toEqual({ filter, page, pageSize: size });
				}
			)
		);
	});

	it('leaves out empty fields, page 1 and the default size', () => {
		expect(listSearch({ a: '', b: 'x' }, 1, 20)).toBe('?b=x');
		expect(listSearch({}, 1, 20)).toBe('');
	});

	it('changes only the page (and size) of a URL, keeping the filter', () => {
		const url = new URL('http://x/trade/payments?status=TRADE_SUCCESS&page=4&size=50');
		expect(withPage(url, 5)).toBe('/trade/payments?status=TRADE_SUCCESS&page=5&size=50');
		expect(withPage(url, 1, 20)).toBe('/trade/payments?status=TRADE_SUCCESS');
	});
});

describe('pagination', () => {
	it('counts pages from a bigint total', () => {
		expect(pageCount(0n, 20)).toBe(1);
		expect(pageCount(20n, 20)).toBe(1);
		expect(pageCount(21n, 20)).toBe(2);
		expect(pageCount(5_000_000n, 100)).toBe(50_000);
	});

	it('shows every page when there are few', () => {
		expect(pageItems(1, 1)).toEqual([1]);
		expect(pageItems(3, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
	});

	it('shows first, last and a window around the current page, with gaps', () => {
		expect(pageItems(1, 50)).toEqual([1, 2, 3, 4, 5, 6, 7, 'gap', 50]);
		expect(pageItems(25, 50)).toEqual([1, 'gap', 23, 24, 25, 26, 27, 'gap', 50]);
		expect(pageItems(50, 50)).toEqual([1, 'gap', 44, 45, 46, 47, 48, 49, 50]);
	});

	it('always includes the current, first and last page, ascending, in the same number of slots', () => {
		fc.assert(
			fc.property(fc.integer({ min: 10, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), (total, raw) => {
				const current = ((raw - 1) % total) + 1;
				const items = pageItems(current, total);
				const pages = items.filter((i): i is number => i !== 'gap');
				expect(items).toHaveLength(9);
				expect(pages).toContain(current);
				expect(pages[0]).toBe(1);
				expect(pages.at(-1)).toBe(total);
				for (let i = 1; i < pages.length; i++) expect(pages[i]).toBeGreaterThan(pages[i - 1]);
				// A gap stands for at least one hidden page, never for none; with 10+ pages in 9 slots there is one.
				const hidden = items.flatMap((item, i) => (item === 'gap' ? [(items[i + 1] as number) - (items[i - 1] as number) - 1] : []));
				expect(hidden.length).toBeGreaterThan(0);
				for (const n of hidden) expect(n).toBeGreaterThan(0);
			})
		);
	});
});

describe('filterSummary (the printed filter line)', () => {
	const t = (key: string, params?: Record<string, string | number>) => translate('zh-CN', key, params);
	it('names each set filter with its label and enum values with their Chinese labels', () => {
		const fields = [
			{ kind: 'text', key: 'merchantOrderNo', label: 'payment.merchantOrderNo' },
			{ kind: 'enum', key: 'txnType', label: 'payment.txnType', options: optionsOf('paymentTxnType', PAYMENT_TXN_TYPES) },
			{ kind: 'enum', key: 'status', label: 'payment.status', options: optionsOf('paymentStatus', PAYMENT_STATUSES) },
			{ kind: 'dateRange', from: 'from', to: 'to', label: 'payment.createdRange' }
		] as const;
		const s = filterSummary(t, fields, { merchantOrderNo: '', txnType: 'GENERAL_CONSUME', status: 'TRADE_SUCCESS', from: '2026-11-19', to: '2026-11-25' });
		expect(s).toBe('交易类型: 普通消费; 交易状态: 支付完成; 交易创建时间: 2026-11-19 至 2026-11-25');
	});
});
