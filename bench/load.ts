// `npm run load`: many signed-in people at once on the big merchant, through HTTP on loopback
// (issue 14 "Load"; the saturation figure feeds issue 13's throughput target).
//   people:      LOAD_SESSIONS (100) sessions, each opening a list's first page, a deeper page
//                or a detail about once a second (open loop: a slow answer does not delay the
//                next request), while 3 exports and a statement build run. Target: 0 errors,
//                list p95 ≤ 50 ms.
//   saturation:  closed-loop sessions (each sends its next request when the last one answers),
//                stepped up until p95 passes 100 ms: requests/s reached and CPU per request
//                (process CPU of the web and of its Postgres backends, from /proc).
// Each mode is bounded to 60 s. It prints p50/p95/p99 per endpoint, throughput, errors and the
// peak RSS of the web and the worker.
//   npm run load                               (starts `node build` and a worker itself)
//   LOAD_MODES=saturation npm run load
// Env: DATABASE_URL, BENCH_MERCHANT_NO, LOAD_MODES ("people,saturation"), LOAD_SESSIONS (100),
//      LOAD_SECONDS (people, 30, at most 60), LOAD_STEP_SECONDS (saturation, 6),
//      LOAD_BACKGROUND=0 (people without the exports and the statement, to tell their share),
//      LOAD_TRACE=file (people: every request as a JSON line with its X-Request-Id).
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import superjson from 'superjson';
import { createDb, poolMax, type Db } from '../db/index.ts';
import { BIG_MERCHANT_NO } from '#seed/big.ts';
import { DEMO_MERCHANT_NO } from '#seed/demo.ts';
import { addDays, businessDate } from '../src/lib/time.ts';
import { bundleArgs, bundleIfStale } from '../scripts/bundle.js';
import { pct, signIn, spawnService, startServer } from './http.ts';
import { autogroupsEnabled, procStatFields } from '../db/autogroup.ts';
import { procKib } from './proc.ts';
import { printTable } from './table.ts';
import { judged, spreadOf, TARGETS } from './targets.ts';

const LIST_TARGET_MS = 50;
const SATURATION_P95_MS = TARGETS.throughput.p95Ms;
const MAX_SECONDS = 60;
const envInt = (name: string, dflt: number) => {
	const n = Number(process.env[name] ?? dflt);
	return Number.isFinite(n) && n > 0 ? n : dflt;
};

/** What one person opens: a list's first page, a deeper page, or one order's detail. */
interface Request {
	endpoint: string;
	kind: 'list' | 'deep' | 'detail';
	path: string;
	input: unknown;
}

interface Sample {
	endpoint: string;
	kind: Request['kind'];
	ms: number;
	ok: boolean;
	/** When it was sent (ms since the script started) and the X-Request-Id it carried: LOAD_TRACE. */
	at: number;
	id: string;
}

interface LoadContext {
	db: Db;
	merchant: { id: bigint; merchant_no: string };
	base: string;
	/** Pids of the processes to watch (peak RSS, CPU); absent when the server is someone else's. */
	webPid?: number;
	workerPid?: number;
}

async function requestMix(db: Db, merchantId: bigint): Promise<Request[]> {
	const span = await db.selectFrom('payments').select(sql<Date>`max(created_at)`.as('b')).where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
	const to = businessDate(span.b ?? new Date());
	const range = { from: addDays(to, -29), to };
	const ids = await db.selectFrom('payments').select('id').where('merchant_id', '=', merchantId).orderBy('created_at', 'desc').limit(200).execute();
	const list = (name: string, path: string, filter: Record<string, string> = {}): Request => ({ endpoint: `${name} first page`, kind: 'list', path, input: { filter: { ...range, ...filter }, page: 1, pageSize: 20 } });
	const mix: Request[] = [
		list('payments', 'payments.list'),
		list('payments 交易状态', 'payments.list', { status: 'TRADE_SUCCESS' }),
		list('refunds', 'refunds.list'),
		list('withdrawals', 'withdrawals.list'),
		list('flows', 'flows.list'),
		{ endpoint: 'users first page', kind: 'list', path: 'users.list', input: { filter: {}, page: 1, pageSize: 20 } },
		{ endpoint: 'payments page 50', kind: 'deep', path: 'payments.list', input: { filter: range, page: 50, pageSize: 20 } },
		{ endpoint: 'flows page 50', kind: 'deep', path: 'flows.list', input: { filter: range, page: 50, pageSize: 20 } }
	];
	// Details of recent orders, a different one each time.
	for (const { id } of ids.slice(0, 50)) mix.push({ endpoint: 'payment detail', kind: 'detail', path: 'payments.get', input: { id } });
	return mix;
}

/** Lists and deep pages as often as a person opens them; details spread over many orders. */
function picker(mix: Request[]): () => Request {
	const lists = mix.filter((r) => r.kind === 'list');
	const deep = mix.filter((r) => r.kind === 'deep');
	const details = mix.filter((r) => r.kind === 'detail');
	return () => {
		const x = Math.random();
		const from = x < 0.6 ? lists : x < 0.8 ? deep : details;
		return from[Math.floor(Math.random() * from.length)];
	};
}

let sent = 0;

async function send(base: string, cookie: string, r: Request): Promise<Sample> {
	const url = `${base}/api/trpc/${r.path}?input=${encodeURIComponent(superjson.stringify(r.input))}`;
	// The web logs this id with its own duration: LOAD_TRACE lines and the web's log join on it.
	const id = `load-${process.pid}-${++sent}`;
	const t0 = performance.now();
	const sample = (ok: boolean): Sample => ({ endpoint: r.endpoint, kind: r.kind, ms: performance.now() - t0, ok, at: t0, id });
	try {
		const res = await fetch(url, { headers: { cookie, 'x-request-id': id } });
		await res.arrayBuffer();
		return sample(res.status === 200);
	} catch {
		return sample(false);
	}
}

/** LOAD_TRACE=file: every sample as a JSON line, to line up with the web's request log. */
function trace(samples: Sample[]): void {
	const file = process.env.LOAD_TRACE;
	if (file) writeFileSync(file, samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
}

/**
 * Every request of the mix twice, unmeasured: a server just started has cold code paths and
 * caches. As many at once as the web's pool has connections (it runs with this environment), so
 * each has run the statements too: a backend's first run of each costs catalog loads and a
 * plan, ~3–11 ms here.
 */
async function warmUp(base: string, cookie: string, mix: Request[]): Promise<void> {
	await Promise.all(
		Array.from({ length: poolMax() }, async () => {
			for (let i = 0; i < 2; i++) for (const r of mix) await send(base, cookie, r);
		})
	);
}

/** One sign-in after another: the sign-in's hashing gate refuses a burst, as it should. */
async function sessions(base: string, merchantNo: string, n: number): Promise<string[]> {
	const out: string[] = [];
	for (let i = 0; i < n; i++) out.push(await signIn(base, merchantNo));
	return out;
}

/** utime + stime of a process, in ms (from /proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
	try {
		const fields = procStatFields(pid);
		return (Number(fields[11]) + Number(fields[12])) * 10;
	} catch {
		return 0;
	}
}

/** Postgres backends serving this database (the web's pools among them). */
async function backendPids(db: Db): Promise<number[]> {
	const r = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`.execute(db);
	return r.rows.map((x) => x.pid);
}

function summarise(samples: Sample[], seconds: number): { rows: string[][]; listP95: number; errors: number } {
	const by = new Map<string, Sample[]>();
	for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
	const row = (name: string, ss: Sample[]) => {
		const t = ss.map((s) => s.ms).sort((a, b) => a - b);
		return [name, String(ss.length), (ss.length / seconds).toFixed(1), String(ss.filter((s) => !s.ok).length), pct(t, 50).toFixed(1), pct(t, 95).toFixed(1), pct(t, 99).toFixed(1)];
	};
	const rows = [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, ss]) => row(name, ss));
	const lists = samples.filter((s) => s.kind === 'list');
	rows.push(row('all lists (first pages)', lists), row('everything', samples));
	const listTimes = lists.map((s) => s.ms).sort((a, b) => a - b);
	return { rows, listP95: listTimes.length ? pct(listTimes, 95) : NaN, errors: samples.filter((s) => !s.ok).length };
}

const HEAD = ['endpoint', 'requests', 'req/s', 'errors', 'p50 ms', 'p95 ms', 'p99 ms'];

function printRss(ctx: LoadContext): void {
	const mb = (k: number | undefined) => (k === undefined ? 'n/a' : `${(k / 1024).toFixed(0)} MB`);
	console.log(`peak RSS: web ${mb(procKib(ctx.webPid, 'VmHWM'))}, worker ${mb(procKib(ctx.workerPid, 'VmHWM'))}`);
}

/** Open loop: every session asks about once a second whatever the answers' speed. */
export async function loadPeople(ctx: LoadContext): Promise<number> {
	const n = envInt('LOAD_SESSIONS', 100);
	const seconds = Math.min(MAX_SECONDS, envInt('LOAD_SECONDS', 30));
	const mix = await requestMix(ctx.db, ctx.merchant.id);
	const pick = picker(mix);
	const cookies = await sessions(ctx.base, ctx.merchant.merchant_no, n);
	await warmUp(ctx.base, cookies[0], mix);

	// The background work people cause: three exports and one day's statement, built by the worker.
	const range = (mix[0].input as { filter: { from: string; to: string } }).filter;
	const jobs: string[] = [];
	const background = process.env.LOAD_BACKGROUND !== '0';
	for (const [i, list] of (background ? ['payments', 'flows', 'refunds'] : []).entries()) {
		const r = await post(ctx.base, cookies[i], 'exports.create', { list, format: i === 1 ? 'XLSX' : 'CSV', filter: { from: range.from, to: range.to }, columns: [] });
		jobs.push(`export ${list}: ${r}`);
	}
	const day = addDays(range.to, -1);
	if (background) {
		await ctx.db.deleteFrom('statements').where('merchant_id', '=', ctx.merchant.id).where('accounting_date', '=', day).execute();
		jobs.push(`statement ${day}: ${await post(ctx.base, cookies[3], 'statements.request', { date: day })}`);
	}

	console.log(`people: ${n} signed-in sessions, each a request about once a second for ${seconds} s; background: ${jobs.join('; ') || 'none (LOAD_BACKGROUND=0)'}`);
	const samples: Sample[] = [];
	const inflight: Promise<void>[] = [];
	const end = performance.now() + seconds * 1000;
	await Promise.all(
		cookies.map(async (cookie) => {
			// Each person's clicks are spread over the second so the sessions do not march in step.
			let next = performance.now() + Math.random() * 1000;
			while (next < end) {
				await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
				inflight.push(send(ctx.base, cookie, pick()).then((s) => void samples.push(s)));
				next += 500 + Math.random() * 1000;
			}
		})
	);
	await Promise.all(inflight);
	const built = background
		? await ctx.db.selectFrom('exports').select(['list_key', 'status', 'rows_done']).where('merchant_id', '=', ctx.merchant.id).orderBy('id', 'desc').limit(3).execute()
		: [];
	trace(samples);
	const { rows, listP95, errors } = summarise(samples, seconds);
	printTable(HEAD, rows);
	if (background) console.log(`background at the end: ${built.map((e) => `${e.list_key} ${e.status} ${e.rows_done} rows`).join(', ')}`);
	printRss(ctx);
	const pass = errors === 0 && listP95 <= LIST_TARGET_MS;
	console.log(`people: ${errors} errors, list p95 ${listP95.toFixed(1)} ms (target 0 errors, ≤ ${LIST_TARGET_MS} ms): ${pass ? 'PASS' : 'FAIL'}`);
	return pass ? 0 : 1;
}

async function post(base: string, cookie: string, path: string, input: unknown): Promise<string> {
	const res = await fetch(`${base}/api/trpc/${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: superjson.stringify(input) });
	const text = await res.text();
	return res.ok ? 'requested' : `refused ${res.status} ${text.slice(0, 120)}`;
}

/**
 * One closed-loop step: a connection per session, each sending its next request when the last
 * one has answered, for `seconds`. autocannon sends them: fetch() cost this client ~1 ms of CPU
 * per request here (autocannon ~0.17 ms), CPU the 2 cores then did not give the server.
 */
async function closedLoop(base: string, cookies: string[], pick: () => Request, seconds: number): Promise<{ times: number[]; errors: number; seconds: number }> {
	const times: number[] = [];
	let next = 0;
	const result = await new Promise<autocannon.Result>((resolve, reject) => {
		const instance = autocannon(
			{
				url: base,
				connections: cookies.length,
				duration: seconds,
				requests: [
					{
						setupRequest: (req, context: { cookie?: string }) => {
							// Each connection is one person: it keeps the session it was given first.
							context.cookie ??= cookies[next++ % cookies.length];
							const r = pick();
							return { ...req, method: 'GET', path: `/api/trpc/${r.path}?input=${encodeURIComponent(superjson.stringify(r.input))}`, headers: { cookie: context.cookie } };
						}
					}
				]
			},
			(err, res) => (err ? reject(err) : resolve(res))
		);
		instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => void times.push(ms));
	});
	return { times, errors: result.non2xx + result.errors + result.timeouts, seconds: result.duration };
}

/** Closed loop, more sessions each step, until p95 passes 100 ms (or 60 s are used up). */
export async function loadSaturation(ctx: LoadContext, opts: { judge?: boolean } = {}): Promise<number> {
	const stepSeconds = envInt('LOAD_STEP_SECONDS', 6);
	const steps = [2, 5, 10, 20, 40, 80].slice(0, Math.max(1, Math.floor(MAX_SECONDS / stepSeconds)));
	const mix = await requestMix(ctx.db, ctx.merchant.id);
	const pick = picker(mix);
	const cookies = await sessions(ctx.base, ctx.merchant.merchant_no, steps[steps.length - 1]);
	await warmUp(ctx.base, cookies[0], mix);
	console.log(`saturation: closed-loop sessions ${steps.join(' → ')}, ${stepSeconds} s each, until p95 > ${SATURATION_P95_MS} ms`);
	const table: string[][] = [];
	let best: { rps: number; p95: number; sessions: number } | undefined;
	for (const c of steps) {
		const pids = await backendPids(ctx.db);
		const watched = ctx.webPid ? [ctx.webPid, ...pids] : pids;
		const cpu0 = watched.map(cpuMs);
		const step = await closedLoop(ctx.base, cookies.slice(0, c), pick, stepSeconds);
		// Backends that came and went during the step are missed: the pools keep theirs open.
		const cpu = watched.map(cpuMs).reduce((s, v, i) => s + Math.max(0, v - cpu0[i]), 0);
		const times = step.times.sort((a, b) => a - b);
		const rps = times.length / step.seconds;
		const p95 = pct(times, 95);
		const errors = step.errors;
		table.push([String(c), rps.toFixed(0), pct(times, 50).toFixed(1), p95.toFixed(1), pct(times, 99).toFixed(1), String(errors), (cpu / Math.max(1, times.length)).toFixed(1)]);
		if (p95 <= SATURATION_P95_MS && (!best || rps > best.rps)) best = { rps, p95, sessions: c };
		if (p95 > SATURATION_P95_MS) break;
	}
	printTable(['sessions', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', `CPU ms/request (${ctx.webPid ? 'web + ' : ''}Postgres)`], table);
	printRss(ctx);
	console.log(best ? `saturation: ${best.rps.toFixed(0)} requests/s at p95 ${best.p95.toFixed(1)} ms with ${best.sessions} sessions (the most within p95 ≤ ${SATURATION_P95_MS} ms)` : `saturation: p95 passed ${SATURATION_P95_MS} ms at the first step`);
	const errors = table.some((r) => r[5] !== '0') ? 1 : 0;
	// Issue 13's throughput target (the bench's summary; npm run load alone only reports it).
	const target = TARGETS.throughput;
	const within = table.filter((r) => Number(r[3]) <= target.p95Ms).map((r) => Number(r[1]));
	const pass = !!best && best.rps >= target.rps && errors === 0;
	judged({
		figure: `throughput, closed-loop list requests (saturation; best step ${best ? `${best.sessions} sessions, p95 ${best.p95.toFixed(1)} ms` : 'none'})`,
		measured: best ? `${best.rps.toFixed(0)} req/s` : 'p95 over at the first step',
		spread: within.length ? `${spreadOf(within, (x) => x.toFixed(0)) || within[0].toFixed(0)} req/s over steps within p95` : '',
		target: `≥ ${target.rps} req/s at p95 ≤ ${target.p95Ms} ms`,
		pass
	});
	console.log(`saturation against issue 13 (≥ ${target.rps} requests/s at p95 ≤ ${target.p95Ms} ms): ${pass ? 'PASS' : 'FAIL'}`);
	return opts.judge ? (pass ? 0 : 1) : errors;
}

/** A worker of our own (compiled, as `npm run worker` runs it), so the background builds run and its peak RSS can be read. */
export async function startWorker(): Promise<ChildProcess> {
	await bundleIfStale(['worker'], { log: (line) => console.log(line) });
	// A session of its own, as a separate service would have: its autogroup then yields to the web (db/autogroup.ts).
	return spawnService(bundleArgs('worker'), { env: process.env });
}

/** The CPU grouping the figures were taken under, printed with them. */
export function schedulerLine(): string {
	const groups = autogroupsEnabled();
	const state = groups === undefined ? 'no autogroups' : `autogroups ${groups ? 'on' : 'off'} (kernel.sched_autogroup_enabled)`;
	return `scheduler: ${state}; see README "Running the worker separately" before comparing figures across machines`;
}

async function main(): Promise<void> {
	const modes = new Set((process.env.LOAD_MODES ?? 'people,saturation').split(',').map((s) => s.trim()));
	const db = createDb(undefined, 2);
	const server = process.env.BASE_URL ? null : await startServer();
	const worker = process.env.BASE_URL ? null : await startWorker();
	try {
		const pick = async (no: string) => db.selectFrom('merchants').select(['id', 'merchant_no']).where('merchant_no', '=', no).executeTakeFirst();
		const merchant = (await pick(process.env.BENCH_MERCHANT_NO ?? BIG_MERCHANT_NO)) ?? (await pick(DEMO_MERCHANT_NO));
		if (!merchant) throw new Error('no seeded merchant: run `npm run seed -- --orders 5000000` (or `npm run seed`)');
		const n = await db.selectFrom('payments').select(sql<string>`count(*)`.as('n')).where('merchant_id', '=', merchant.id).executeTakeFirstOrThrow();
		console.log(`merchant ${merchant.merchant_no}: ${n.n} payments; ${server ? 'node build and a worker started here' : `server ${process.env.BASE_URL}`}`);
		console.log(schedulerLine());
		const ctx: LoadContext = { db, merchant, base: process.env.BASE_URL ?? server!.url, webPid: server?.child.pid, workerPid: worker?.pid ?? undefined };
		let failures = 0;
		if (modes.has('people')) failures += await loadPeople(ctx);
		if (modes.has('saturation')) failures += await loadSaturation(ctx);
		process.exitCode = failures === 0 ? 0 : 1;
	} finally {
		server?.child.kill('SIGTERM');
		worker?.kill('SIGTERM');
		await db.destroy();
	}
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) await main();
