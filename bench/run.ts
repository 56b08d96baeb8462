// `npm run bench`: the figures the issues set targets for, on the big merchant (or the demo
// merchant when the big one is not seeded), printed as tables with PASS/FAIL.
//   lists:   every list screen through HTTP (a signed-in tRPC GET), p50/p95 over many runs
//   exports: 1M-row CSV and XLSX exports vs COPY, peak memory, download speed, a day's statement
//   memory:  RSS of the web (node build) idle after warm-up, and of the compiled worker idle and
//            at its peak while building a 1M-row CSV and XLSX export (bench/memory.ts)
//   load:    optional (BENCH_PARTS=lists,exports,memory,load): npm run load's two modes (bench/load.ts);
//            its saturation mode gives issue 13's throughput figure
// Each figure is shown with the spread of its interleaved runs; the end prints every judged
// figure against issue 13's targets (bench/targets.ts) with PASS/FAIL.
//
//   npm run bench                                      (starts `node build` itself on a free port)
//   BASE_URL=http://127.0.0.1:3000 npm run bench      (a running server on the same database)
// Env: DATABASE_URL, BENCH_MERCHANT_NO, BENCH_RUNS (default 40), BENCH_PARTS (default
//      "lists,exports,memory"), BENCH_ROUNDS (4), BENCH_EXPORT_RUNS (5), DEMO_ADMIN_PHONE / DEMO_ADMIN_PASSWORD.
import { createDb } from '../db/index.ts';
import { BIG_MERCHANT_NO } from '#seed/big.ts';
import { DEMO_MERCHANT_NO } from '#seed/demo.ts';
import { bundleIfStale } from '../scripts/bundle.js';
import { benchExports } from './exports.ts';
import { call, closeClient, signIn, startServer } from './http.ts';
import { benchLists } from './lists.ts';
import { loadPeople, loadSaturation, schedulerLine, startWorker } from './load.ts';
import { benchMemory } from './memory.ts';
import { printSummary } from './targets.ts';

const PARTS = new Set((process.env.BENCH_PARTS ?? 'lists,exports,memory').split(',').map((s) => s.trim()));

// The worker and the bench's build process run compiled, as in production: bundle them when stale.
await bundleIfStale(['worker', 'build-child'], { log: (line) => console.log(line) });

const db = createDb(undefined, 4);
const pick = async (merchantNo: string) =>
	db.selectFrom('merchants').select(['id', 'merchant_no']).where('merchant_no', '=', merchantNo).executeTakeFirst();
const server = process.env.BASE_URL ? null : await startServer();
try {
	const merchant = (await pick(process.env.BENCH_MERCHANT_NO ?? BIG_MERCHANT_NO)) ?? (await pick(DEMO_MERCHANT_NO));
	if (!merchant) throw new Error('no seeded merchant: run `npm run seed` (add `-- --orders N` for the big one)');
	const base = process.env.BASE_URL ?? server!.url;
	const ctx = { db, merchant, base, cookie: await signIn(base, merchant.merchant_no) };
	if (PARTS.has('lists')) await benchLists(ctx);
	else if (PARTS.has('memory')) {
		// The web's baseline is read after a warm-up: its code compiled, its pools open.
		const input = { filter: {}, page: 1, pageSize: 20 };
		for (let i = 0; i < 50; i++) await call(base, ctx.cookie, { group: 'warm-up', name: 'users', path: 'users.list', input });
	}
	if (PARTS.has('exports')) await benchExports(ctx);
	if (PARTS.has('memory')) await benchMemory(ctx, server?.child.pid);
	let loadFailures = 0;
	if (PARTS.has('load')) {
		// The people mode's exports and statement need a worker; ours, when the server is ours too.
		const worker = server ? await startWorker() : null;
		try {
			const load = { db, merchant, base, webPid: server?.child.pid, workerPid: worker?.pid };
			console.log(schedulerLine());
			loadFailures += await loadPeople(load);
			// Its throughput figure is judged in the summary below.
			await loadSaturation(load, { judge: true });
		} finally {
			worker?.kill('SIGTERM');
		}
	}
	const failures = printSummary() + loadFailures;
	process.exitCode = failures === 0 ? 0 : 1;
} finally {
	closeClient();
	server?.child.kill('SIGTERM');
	await db.destroy();
}
