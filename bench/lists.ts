// The list screens through HTTP (a signed-in tRPC GET, session check included): first pages
// with their totals, deep pages, the user search. Target p95 ≤ 25 ms each.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { addDays, businessDate } from '../src/lib/time.ts';
import { call, pct, type Case } from './http.ts';
import { printTable } from './table.ts';

const TARGET_MS = 25;
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 3;

export interface BenchContext {
	db: Db;
	merchant: { id: bigint; merchant_no: string };
	base: string;
	cookie: string;
}

/** Prints the table; resolves with the number of cases over target. */
export async function benchLists({ db, merchant, base, cookie }: BenchContext): Promise<number> {
	const mid = merchant.id;
	const n = (await db.selectFrom('payments').select(sql<bigint>`count(*)`.as('n')).where('merchant_id', '=', mid).executeTakeFirstOrThrow()).n;
	const span = await db
		.selectFrom('payments')
		.select([sql<Date>`min(created_at)`.as('a'), sql<Date>`max(created_at)`.as('b')])
		.where('merchant_id', '=', mid)
		.executeTakeFirstOrThrow();
	const to = businessDate(span.b ?? new Date());
	const from = addDays(to, -29);
	const range = { from, to };

	// Sample values for the selective filters, from inside the range.
	const one = async <T>(q: Promise<T | undefined>, what: string): Promise<T> => {
		const v = await q;
		if (v === undefined) throw new Error(`no sample ${what}`);
		return v;
	};
	const pay = await one(
		db.selectFrom('payments as p').innerJoin('users as u', 'u.id', 'p.user_id').select(['p.merchant_order_no', 'u.user_no']).where('p.merchant_id', '=', mid).orderBy('p.created_at', 'desc').limit(1).executeTakeFirst(),
		'payment'
	);
	const ref = await db
		.selectFrom('refunds as r')
		.innerJoin('payments as p', 'p.id', 'r.payment_id')
		.select(['r.refund_no', 'p.merchant_order_no'])
		.where('r.merchant_id', '=', mid)
		.orderBy('r.created_at', 'desc')
		.limit(1)
		.executeTakeFirst();
	const wd = await db
		.selectFrom('withdrawals as w')
		.leftJoin('users as u', 'u.id', 'w.user_id')
		.select(['w.merchant_order_no', 'w.card_no', 'u.user_no', 'u.phone'])
		.where('w.merchant_id', '=', mid)
		.orderBy('w.created_at', 'desc')
		.limit(1)
		.executeTakeFirst();
	const user = await one(db.selectFrom('users').select(['user_no', 'phone', 'name']).where('merchant_id', '=', mid).limit(1).executeTakeFirst(), 'user');

	const cases: Case[] = [];
	const list = (group: string, path: string, filters: [string, Record<string, string>][]) => {
		for (const [name, f] of filters) cases.push({ group, name: `first page + total, ${name}`, path, input: { filter: { ...range, ...f }, page: 1, pageSize: 20 } });
		cases.push({ group, name: 'page 10,000 (or the middle), 30 days', path, input: { filter: range, page: 'DEEP', pageSize: 20 } });
		cases.push({ group, name: 'last page, 30 days', path, input: { filter: range, page: 'LAST', pageSize: 20 } });
	};
	list('payments', 'payments.list', [
		['30 days', {}],
		['交易类型', { txnType: 'GENERAL_CONSUME' }],
		['交易状态', { status: 'TRADE_SUCCESS' }],
		['类型+状态', { txnType: 'SECURED_CONFIRM', status: 'TRADE_CLOSE' }],
		['用户号', { userNo: pay.user_no }],
		['商户支付单号', { merchantOrderNo: pay.merchant_order_no }]
	]);
	list('refunds', 'refunds.list', [
		['30 days', {}],
		['退款状态', { status: 'TRADE_SUCCESS' }],
		...(ref
			? ([
					['商户退款单号', { refundNo: ref.refund_no }],
					['原商户交易单号', { paymentMerchantOrderNo: ref.merchant_order_no }]
				] as [string, Record<string, string>][])
			: []),
		['退款处理时间 7 days', { processedFrom: addDays(to, -6), processedTo: to }]
	]);
	list('withdrawals', 'withdrawals.list', [
		['30 days', {}],
		['交易类型', { txnType: 'OUTER_FUND_EXCHANGE' }],
		['交易状态', { status: 'TRADE_SUCCESS' }],
		...(wd
			? ([
					['外部提现单号', { merchantOrderNo: wd.merchant_order_no }],
					['收款卡号', { cardNo: wd.card_no }],
					...(wd.user_no ? [['用户号', { userNo: wd.user_no }], ['用户手机', { userPhone: wd.phone! }]] : [])
				] as [string, Record<string, string>][])
			: [])
	]);
	list('flows', 'flows.list', [
		['30 days (merchant accounts)', {}],
		['账户种类', { accountType: 'MCHOWN' }],
		['账户小类', { subType: 'AVAILABLE' }],
		['交易类型', { txnType: 'GENERAL_CONSUME' }],
		['出入账标识', { direction: 'DEBIT' }],
		['用户号', { userNo: pay.user_no }]
	]);
	list('accountFlows', 'accounts.flows', [['自有资金账户 30 days', { accountType: 'MCHOWN' }]]);
	cases.push(
		{ group: 'users', name: 'first page + total', path: 'users.list', input: { filter: {}, page: 1, pageSize: 20 } },
		{ group: 'users', name: 'search by 开户手机号', path: 'users.list', input: { filter: { phone: user.phone }, page: 1, pageSize: 20 } },
		{ group: 'users', name: 'search by 用户名称', path: 'users.list', input: { filter: { name: user.name }, page: 1, pageSize: 20 } },
		{ group: 'users', name: 'search by 用户号', path: 'users.list', input: { filter: { userNo: user.user_no }, page: 1, pageSize: 20 } }
	);
	console.log(`merchant ${merchant.merchant_no}: N = ${n} payments (${span.a?.toISOString() ?? '-'} … ${span.b?.toISOString() ?? '-'}); range ${from} .. ${to}; ${RUNS} runs after ${WARMUP} warm-up; target p95 ≤ ${TARGET_MS} ms`);
	const rows: string[][] = [];
	let failures = 0;
	for (const c of cases) {
		const input = c.input as { filter: unknown; page: number | string; pageSize: number };
		if (typeof input.page === 'string') {
			const first = (await call(base, cookie, { ...c, input: { ...input, page: 1 } })).body as { total: { count: bigint } };
			const last = Math.max(1, Math.ceil(Number(first.total.count) / input.pageSize));
			input.page = input.page === 'LAST' ? last : Math.min(10_000, Math.max(1, Math.floor(last / 2)));
			c.name = c.name.replace('10,000 (or the middle)', String(input.page)).replace('last page', `last page (${input.page})`);
		}
		for (let i = 0; i < WARMUP; i++) await call(base, cookie, c);
		const times: number[] = [];
		let total = '';
		for (let i = 0; i < RUNS; i++) {
			const r = await call(base, cookie, c);
			times.push(r.ms);
			const t = (r.body as { total: { count: bigint } }).total;
			total = String(t.count);
		}
		times.sort((a, b) => a - b);
		const p50 = pct(times, 50);
		const p95 = pct(times, 95);
		const ok = p95 <= TARGET_MS;
		if (!ok) failures++;
		rows.push([c.group, c.name, total, p50.toFixed(1), p95.toFixed(1), `≤ ${TARGET_MS}`, ok ? 'PASS' : 'FAIL']);
	}
	printTable(['list', 'case', 'matches', 'p50 ms', 'p95 ms', 'target', ''], rows);
	console.log(failures === 0 ? `all ${rows.length} cases PASS` : `${failures} of ${rows.length} cases FAIL`);
	return failures;
}
