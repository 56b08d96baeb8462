// `npm run bench`: the query lists measured through HTTP (a signed-in tRPC GET, session check
// included) on the big merchant (or the demo merchant when the big one is not seeded).
//
//   BASE_URL=http://127.0.0.1:3000 npm run bench      (a running server on the same database)
//   npm run bench                                      (starts `node build` itself on a free port)
// Env: DATABASE_URL (to pick sample values and print N), BENCH_MERCHANT_NO, BENCH_RUNS (default 40),
//      DEMO_ADMIN_PHONE / DEMO_ADMIN_PASSWORD.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import superjson from 'superjson';
import { createDb } from '../db/index.ts';
import { BIG_MERCHANT_NO } from '../db/seed/big.ts';
import { DEMO_MERCHANT_NO } from '../db/seed/demo.ts';
import { demoAdminPassword, demoAdminPhone } from '../db/seed/staff.ts';
import { addDays, businessDate } from '../src/lib/time.ts';

const TARGET_MS = 25;
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 3;

async function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => resolve(port));
		});
	});
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
	if (!existsSync('build/index.js')) throw new Error('no BASE_URL and no build/: run `npm run build` or start a server and set BASE_URL');
	const port = await freePort();
	const child = spawn(process.execPath, ['build'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` }, stdio: 'ignore' });
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 100; i++) {
		try {
			await fetch(`${url}/login`);
			return { url, child };
		} catch {
			await new Promise((r) => setTimeout(r, 200));
		}
	}
	child.kill();
	throw new Error('the server did not start');
}

async function signIn(base: string, merchantNo: string): Promise<string> {
	const res = await fetch(`${base}/api/trpc/auth.signIn`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: base },
		body: superjson.stringify({ merchantNo, phone: demoAdminPhone(), password: demoAdminPassword() })
	});
	const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('session='));
	if (!res.ok || !cookie) throw new Error(`sign-in failed (${res.status}): ${await res.text()}`);
	return cookie;
}

interface Case {
	group: string;
	name: string;
	path: string;
	input: unknown;
}

async function call(base: string, cookie: string, c: Case): Promise<{ ms: number; body: unknown }> {
	const url = `${base}/api/trpc/${c.path}?input=${encodeURIComponent(superjson.stringify(c.input))}`;
	const t0 = performance.now();
	const res = await fetch(url, { headers: { cookie } });
	const text = await res.text();
	const ms = performance.now() - t0;
	if (!res.ok) throw new Error(`${c.path} ${res.status}: ${text.slice(0, 300)}`);
	return { ms, body: superjson.deserialize((JSON.parse(text) as { result: { data: never } }).result.data) };
}

function pct(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
	const db = createDb(undefined, 2);
	const pick = async (merchantNo: string) =>
		db.selectFrom('merchants').select(['id', 'merchant_no']).where('merchant_no', '=', merchantNo).executeTakeFirst();
	const merchant = (await pick(process.env.BENCH_MERCHANT_NO ?? BIG_MERCHANT_NO)) ?? (await pick(DEMO_MERCHANT_NO));
	if (!merchant) throw new Error('no seeded merchant: run `npm run seed` (add `-- --orders N` for the big one)');
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
	await db.destroy();

	const server = process.env.BASE_URL ? null : await startServer();
	const base = process.env.BASE_URL ?? server!.url;
	try {
		const cookie = await signIn(base, merchant.merchant_no);
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
		const head = ['list', 'case', 'matches', 'p50 ms', 'p95 ms', 'target', ''];
		const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
		const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
		console.log(line(head));
		console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
		for (const r of rows) console.log(line(r));
		console.log(failures === 0 ? `all ${rows.length} cases PASS` : `${failures} of ${rows.length} cases FAIL`);
		process.exitCode = failures === 0 ? 0 : 1;
	} finally {
		server?.child.kill('SIGTERM');
	}
}

await main();
