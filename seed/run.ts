// npm run seed                      demo data (skips when present)
// npm run seed -- --reset           drop the demo merchants' data and seed again
// npm run seed -- --orders 5000000  the big benchmark merchant (set-based, see seed/big.ts)
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { closeDb, createDb, databaseUrl, type DB } from '#db';
import { ensureDatabase, migrateToLatest } from '#db/migrate.ts';
import { checkInvariants } from '#shared/server/ledger/index.ts';
import { BIG_MERCHANT_NO, seedBig } from './big.ts';
import { DEMO_MERCHANT_NO, seedDemo } from './demo.ts';

// `tsx seed/run.ts -- --orders N` passes the separator through; npm run strips it.
const { values: args } = parseArgs({
	args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
	options: {
		reset: { type: 'boolean', default: false },
		orders: { type: 'string' },
		big: { type: 'string' },
		users: { type: 'string' },
		days: { type: 'string' },
		'orders-per-day': { type: 'string' }
	}
});

async function rowCounts(db: Kysely<DB>): Promise<Record<string, number>> {
	const tables = ['merchants', 'staff', 'roles', 'sms_outbox', 'users', 'bank_cards', 'accounts', 'postings', 'payments', 'refunds', 'withdrawals', 'fund_flows'];
	const out: Record<string, number> = {};
	for (const t of tables) {
		const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(t)}`.execute(db);
		out[t] = Number(r.rows[0].n);
	}
	return out;
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
await ensureDatabase();
const db = createDb(databaseUrl(), 4);
try {
	await migrateToLatest(db);
	const bigOrders = args.orders ?? args.big;
	if (bigOrders) {
		const orders = Number(bigOrders);
		if (!Number.isInteger(orders) || orders <= 0) throw new Error(`--orders must be a positive integer, got ${bigOrders}`);
		const r = await seedBig(db, {
			orders,
			users: args.users ? Number(args.users) : undefined,
			days: args.days ? Number(args.days) : undefined,
			reset: args.reset,
			log: (l) => console.log(`[${elapsed()}] ${l}`)
		});
		if (!r.seeded) console.log(`big merchant ${BIG_MERCHANT_NO} exists already (use --reset to recreate it)`);
	} else {
		const r = await seedDemo(db, {
			reset: args.reset,
			users: args.users ? Number(args.users) : undefined,
			days: args.days ? Number(args.days) : undefined,
			ordersPerDay: args['orders-per-day'] ? Number(args['orders-per-day']) : undefined,
			log: (l) => console.log(`[${elapsed()}] ${l}`)
		});
		if (!r.seeded) {
			console.log(`demo merchant ${DEMO_MERCHANT_NO} exists already; nothing to do (use --reset to recreate it)`);
		} else {
			for (const m of r.merchants) {
				const refused = [...m.stats.refused].map(([k, n]) => `${k} ×${n}`).join(', ');
				console.log(`${m.merchantNo}: ${m.stats.postings} ledger calls${refused ? `; skipped (refused by the ledger): ${refused}` : ''}`);
			}
			const t = Date.now();
			const problems = await checkInvariants(db);
			if (problems.length) {
				console.error('LEDGER INVARIANTS VIOLATED:\n' + problems.join('\n'));
				process.exitCode = 1;
			} else console.log(`ledger invariants hold (${Date.now() - t} ms)`);
		}
	}
	console.table(await rowCounts(db));
	console.log(`done in ${elapsed()}`);
} finally {
	await db.destroy();
	await closeDb();
}
