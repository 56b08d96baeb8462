// One export or statement build in a process of its own, as a worker runs it, so its peak
// memory (maxRSS) is the build's and nothing else's. Prints one JSON line.
//   tsx bench/build-child.ts export <id> | statement <id>
import { performance } from 'node:perf_hooks';
import { closeDb, createDb } from '../db/index.ts';
import { buildExport } from '../jobs/exports/build.ts';
import { buildStatement } from '../jobs/statements/build.ts';
import { closeFilePool } from '../src/lib/server/files/index.ts';

const [kind, idText] = process.argv.slice(2);
const id = BigInt(idText);
const db = createDb(undefined, 4);
try {
	const t0 = performance.now();
	const r = kind === 'statement' ? await buildStatement(db, id, { owner: 'bench' }) : await buildExport(db, id, { owner: 'bench' });
	const ms = performance.now() - t0;
	if (r.outcome !== 'built') throw new Error(`${kind} ${id} not built: ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
	const cpu = process.cpuUsage();
	console.log(JSON.stringify({ ms, rows: r.rows, maxRssMB: process.resourceUsage().maxRSS / 1024, cpuMs: (cpu.user + cpu.system) / 1000 }));
} finally {
	await closeFilePool();
	await db.destroy();
	await closeDb();
}
