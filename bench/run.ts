// `npm run bench`: the figures the issues set targets for, on the big merchant (or the demo
// merchant when the big one is not seeded), printed as tables with PASS/FAIL.
//   lists:   every list screen through HTTP (a signed-in tRPC GET), p50/p95 over many runs
//   exports: 1M-row CSV and XLSX exports vs COPY, peak memory, download speed, a day's statement
//   load:    optional (BENCH_PARTS=lists,exports,load): npm run load's two modes (bench/load.ts)
//
//   npm run bench                                      (starts `node build` itself on a free port)
//   BASE_URL=http://127.0.0.1:3000 npm run bench      (a running server on the same database)
// Env: DATABASE_URL, BENCH_MERCHANT_NO, BENCH_RUNS (default 40), BENCH_PARTS (default
//      "lists,exports"), DEMO_ADMIN_PHONE / DEMO_ADMIN_PASSWORD.
import { createDb } from '../db/index.ts';
import { BIG_MERCHANT_NO } from '#seed/big.ts';
import { DEMO_MERCHANT_NO } from '#seed/demo.ts';
import { benchExports } from './exports.ts';
import { signIn, startServer } from './http.ts';
import { benchLists } from './lists.ts';
import { loadPeople, loadSaturation, startWorker } from './load.ts';

const PARTS = new Set((process.env.BENCH_PARTS ?? 'lists,exports').split(',').map((s) => s.trim()));

const db = createDb(undefined, 4);
const pick = async (merchantNo: string) =>
	db.selectFrom('merchants').select(['id', 'merchant_no']).where('merchant_no', '=', merchantNo).executeTakeFirst();
const server = process.env.BASE_URL ? null : await startServer();
try {
	const merchant = (await pick(process.env.BENCH_MERCHANT_NO ?? BIG_MERCHANT_NO)) ?? (await pick(DEMO_MERCHANT_NO));
	if (!merchant) throw new Error('no seeded merchant: run `npm run seed` (add `-- --orders N` for the big one)');
	const base = process.env.BASE_URL ?? server!.url;
	const ctx = { db, merchant, base, cookie: await signIn(base, merchant.merchant_no) };
	let failures = 0;
	if (PARTS.has('lists')) failures += await benchLists(ctx);
	if (PARTS.has('exports')) failures += await benchExports(ctx);
	if (PARTS.has('load')) {
		// The people mode's exports and statement need a worker; ours, when the server is ours too.
		const worker = server ? startWorker() : null;
		try {
			const load = { db, merchant, base, webPid: server?.child.pid, workerPid: worker?.pid };
			failures += await loadPeople(load);
			failures += await loadSaturation(load);
		} finally {
			worker?.kill('SIGTERM');
		}
	}
	process.exitCode = failures === 0 ? 0 : 1;
} finally {
	server?.child.kill('SIGTERM');
	await db.destroy();
}
