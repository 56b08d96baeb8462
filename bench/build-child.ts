// One export or statement build in a process of its own, as a worker runs it, so its peak
// memory (maxRSS) is the build's and nothing else's. Prints one JSON line.
//   node dist/build-child.js export <id> [<warm-up id>] | statement <id> [<warm-up id>]   (bundled by scripts/bundle.js; run with the worker's Node flags)
// A warm-up build of the same kind runs first, untimed: a worker that has been up a while
// has its code compiled by the JIT and its pools open, and that is the speed to measure.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { closeDb, createDb, runAsBuilder } from '../db/index.ts';
import { buildExport } from '../src/lib/server/exports/build.ts';
import { buildStatement } from '../src/lib/server/statements/build.ts';
import { closeFilePool, getFilePool } from '../src/lib/server/files/index.ts';

const [kind, idText, warmText] = process.argv.slice(2);
const id = BigInt(idText);
const build = (target: bigint) =>
	kind === 'statement' ? buildStatement(db, target, { owner: 'bench' }) : buildExport(db, target, { owner: 'bench' });
// As the worker runs a build (jobs/worker.ts): its sessions without parallel query, its backends,
// itself and its session's autogroup (the bench starts it with setsid) at BUILD_NICE. With the
// process at 0 and its backends at 10, the COPY's backend lost the core to its own reader
// whenever they shared one; with only its nice lowered, the process still had the bench's
// session's full weight beside its backends' lowered ones.
const { niceError } = runAsBuilder();
if (niceError) throw niceError;
const db = createDb(undefined, 4);
try {
	await sql`SELECT 1`.execute(db);
	(await getFilePool().connect()).release();
	if (warmText) await build(BigInt(warmText));
	const t0 = performance.now();
	const r = await build(id);
	const ms = performance.now() - t0;
	if (r.outcome !== 'built') throw new Error(`${kind} ${id} not built: ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
	console.log(JSON.stringify({ ms, rows: r.rows, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} finally {
	await closeFilePool();
	await db.destroy();
	await closeDb();
}
