// The demo data set: the demo merchant with staff, users and ~120 days of history, and a
// small second merchant that proves isolation. Everything money-related goes through the ledger.
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { seedHistory, type HistoryStats } from './history/index.ts';
import { Rng } from './rng.ts';
import { checkDemoAdminPhone, DEMO_OPERATORS, openDemoMerchant, seedStaff } from './staff.ts';
import { seedUsers } from './users.ts';

export const DEMO_MERCHANT_NO = '2018062800003003';
const DEMO_MERCHANT_NAME = '测试商户号';
export const SECOND_MERCHANT_NO = '2019010100000001';
const SECOND_MERCHANT_NAME = '示例商户二';
export const SEED = 20180628;

export interface DemoOptions {
	/** Demo merchant size. */
	users?: number;
	days?: number;
	ordersPerDay?: number;
	/** Second merchant size. */
	secondUsers?: number;
	secondDays?: number;
	secondOrdersPerDay?: number;
	/** Defaults to the current time; rounded down to the hour. */
	now?: Date;
	/** Drop both demo merchants' data first. */
	reset?: boolean;
	log?: (line: string) => void;
}

interface DemoResult {
	seeded: boolean;
	merchants: { merchantNo: string; id: bigint; stats: HistoryStats }[];
}

/** Demo data present? (The demo merchant row is written last-but-history, in one go per merchant.) */
const SEED_DONE = 'seed.demo.done';

/** True only when a seed ran to its end: an interrupted one is redone, not shown half-made. */
export async function isSeeded(db: Kysely<DB>): Promise<boolean> {
	const done = await db.selectFrom('job_runs').select('id').where('job_name', '=', SEED_DONE).executeTakeFirst();
	return done !== undefined;
}

export function roundToHour(at: Date): Date {
	return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

/** Children before parents, so foreign keys hold and the rollup triggers (0003) see every delete. */
const MERCHANT_TABLES = [
	'fund_flows',
	'postings',
	'refunds',
	'withdrawals',
	'payments',
	'accounts',
	'bank_cards',
	'users',
	'sms_codes',
	'sms_outbox',
	'statements',
	'exports',
	'payment_keys',
	'platform_keys',
	'roles',
	'order_rollup_days',
	'order_rollup_hours',
	'flow_rollup_days',
	'flow_rollup_hours'
] as const;

/**
 * Deletes one merchant and everything it owns (a demo reset). Triggers stay on so derived
 * tables follow; only the audit log's append-only guard is bypassed, for that one statement.
 */
export async function deleteMerchant(db: Kysely<DB>, merchantNo: string): Promise<boolean> {
	return db.transaction().execute(async (trx) => {
		const m = await trx.selectFrom('merchants').select('id').where('merchant_no', '=', merchantNo).executeTakeFirst();
		if (!m) return false;
		const staff = sql`(SELECT id FROM staff WHERE merchant_id = ${m.id})`;
		await sql`DELETE FROM sessions WHERE staff_id IN ${staff}`.execute(trx);
		await sql`DELETE FROM column_prefs WHERE staff_id IN ${staff}`.execute(trx);
		await sql`DELETE FROM staff_roles WHERE merchant_id = ${m.id}`.execute(trx);
		await sql`DELETE FROM file_chunks WHERE file_id IN (SELECT id FROM files WHERE merchant_id = ${m.id})`.execute(trx);
		for (const t of MERCHANT_TABLES) {
			// tables of later migrations may be absent in an older database
			const exists = await sql<{ r: string | null }>`SELECT to_regclass(${t})::text AS r`.execute(trx);
			if (exists.rows[0].r) await sql`DELETE FROM ${sql.table(t)} WHERE merchant_id = ${m.id}`.execute(trx);
		}
		await sql`DELETE FROM files WHERE merchant_id = ${m.id}`.execute(trx);
		await sql`SET LOCAL session_replication_role = replica`.execute(trx);
		await sql`DELETE FROM audit_log WHERE merchant_id = ${m.id} OR staff_id IN ${staff}`.execute(trx);
		await sql`SET LOCAL session_replication_role = origin`.execute(trx);
		await sql`DELETE FROM staff WHERE merchant_id = ${m.id}`.execute(trx);
		await sql`DELETE FROM merchants WHERE id = ${m.id}`.execute(trx);
		return true;
	});
}

async function seedMerchant(
	db: Kysely<DB>,
	spec: { merchantNo: string; name: string; adminName: string; operators: boolean; users: number; days: number; ordersPerDay: number; txnDigit: string; seed: number },
	now: Date,
	log: (line: string) => void
) {
	const rng = new Rng(spec.seed);
	const faker = new Faker({ locale: [zh_CN, en, base], seed: spec.seed });
	const createdAt = new Date(now.getTime() - (spec.days + 30) * 86_400_000);
	const { merchantId, adminId } = await openDemoMerchant(db, { merchantNo: spec.merchantNo, name: spec.name, adminName: spec.adminName, createdAt });
	await seedStaff(db, merchantId, spec.merchantNo, { adminId, operators: spec.operators ? DEMO_OPERATORS : [], createdAt });
	const users = await seedUsers(db, rng, faker, {
		merchantId,
		count: spec.users,
		days: Math.max(spec.days + 30, 150),
		now,
		userNoPrefix: spec.merchantNo.slice(-4)
	});
	log(`${spec.merchantNo}: ${users.length} users; posting ${spec.days} days of history…`);
	const stats = await seedHistory(db, rng, faker, {
		merchantId,
		txnDigit: spec.txnDigit,
		users,
		days: spec.days,
		ordersPerDay: spec.ordersPerDay,
		now,
		openingTopUp: 50_000_000n * BigInt(Math.max(1, Math.round(spec.ordersPerDay / 50))),
		fees: true,
		coupons: true
	}, (line) => log(`${spec.merchantNo}: ${line}`));
	return { merchantNo: spec.merchantNo, id: merchantId, stats };
}

export async function seedDemo(db: Kysely<DB>, opts: DemoOptions = {}): Promise<DemoResult> {
	const log = opts.log ?? (() => {});
	if (!opts.reset && (await isSeeded(db))) return { seeded: false, merchants: [] };
	checkDemoAdminPhone();
	// A reset, or the leftovers of an interrupted run: start both merchants afresh.
	await db.deleteFrom('job_runs').where('job_name', '=', SEED_DONE).execute();
	for (const no of [DEMO_MERCHANT_NO, SECOND_MERCHANT_NO]) if (await deleteMerchant(db, no)) log(`deleted merchant ${no}`);
	const now = roundToHour(opts.now ?? new Date());
	const demo = await seedMerchant(
		db,
		{
			merchantNo: DEMO_MERCHANT_NO,
			name: DEMO_MERCHANT_NAME,
			adminName: '王管理',
			operators: true,
			users: opts.users ?? 300,
			days: opts.days ?? 120,
			ordersPerDay: opts.ordersPerDay ?? 100,
			txnDigit: '1',
			seed: SEED
		},
		now,
		log
	);
	const second = await seedMerchant(
		db,
		{
			merchantNo: SECOND_MERCHANT_NO,
			name: SECOND_MERCHANT_NAME,
			adminName: '赵管理',
			operators: false,
			users: opts.secondUsers ?? 20,
			days: opts.secondDays ?? 10,
			ordersPerDay: opts.secondOrdersPerDay ?? 30,
			txnDigit: '2',
			seed: SEED + 1
		},
		now,
		log
	);
	await db.insertInto('job_runs').values({ job_name: SEED_DONE, detail: JSON.stringify({ at: now.toISOString() }) }).execute();
	return { seeded: true, merchants: [demo, second] };
}
