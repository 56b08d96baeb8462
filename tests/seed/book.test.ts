// The demo history is stored set-based from an in-memory book of the ledger. This plays one
// history through src/lib/server/ledger call by call and the same history through the book,
// on the same merchant, users and accounts, and requires the same tables: every order, posting,
// fund flow (in the same order per account), balance and rollup.
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '#db';
import { Book } from '#seed/book/index.ts';
import { roundToHour } from '#seed/demo.ts';
import { playHistory, throughLedger, type HistoryOptions, type HistoryStats } from '#seed/history/index.ts';
import { Rng } from '#seed/rng.ts';
import { createMerchant } from '#seed/staff.ts';
import { seedUsers, type SeededUser } from '#seed/users.ts';
import { checkInvariants, openMerchantAccounts } from '#shared/server/ledger/index.ts';

const db = createDb(process.env.DATABASE_URL, 4);
const SEED = 4711;
let merchantId: bigint;
let users: SeededUser[];
// A fixed hour: what the history draws depends on the time of day it ends at (orders still
// waiting, cancelled, closed), so a clock-driven `now` made the kinds it covers vary by run.
const now = roundToHour(new Date('2026-06-15T06:30:00Z'));

afterAll(async () => {
	await db.destroy();
});

beforeAll(async () => {
	merchantId = await createMerchant(db, '2018062800009009', '对照商户', new Date(now.getTime() - 60 * 86_400_000));
	await openMerchantAccounts(db, merchantId);
	users = await seedUsers(db, new Rng(SEED), new Faker({ locale: [zh_CN, en, base], seed: SEED }), {
		merchantId,
		count: 14,
		days: 40,
		now,
		userNoPrefix: '9009'
	});
});

function options(): HistoryOptions {
	return { merchantId, txnDigit: '9', users, days: 7, ordersPerDay: 45, now, openingTopUp: 5_000_000n, fees: true, coupons: true };
}

const play = (ledger: Parameters<typeof playHistory>[0]) =>
	playHistory(ledger, new Rng(SEED + 1), new Faker({ locale: [zh_CN, en, base], seed: SEED + 1 }), options());

/** Everything a history writes, with generated ids replaced by the numbers they stand for (a later column of the same name wins). */
async function tables() {
	const q = async (query: ReturnType<typeof sql>) => (await query.execute(db)).rows as Record<string, unknown>[];
	return {
		payments: await q(sql`SELECT p.*, NULL AS id, NULL AS original_payment_id, o.platform_txn_no AS original FROM payments p
			LEFT JOIN payments o ON o.id = p.original_payment_id ORDER BY p.platform_txn_no`),
		refunds: await q(sql`SELECT r.*, NULL AS id, NULL AS payment_id, p.platform_txn_no AS payment FROM refunds r JOIN payments p ON p.id = r.payment_id ORDER BY r.platform_txn_no`),
		withdrawals: await q(sql`SELECT w.*, NULL AS id FROM withdrawals w ORDER BY w.platform_txn_no`),
		postings: await q(sql`SELECT posting_key, kind, created_at FROM postings ORDER BY posting_key`),
		flows: await q(sql`SELECT f.*, NULL AS id, NULL AS posting_id, NULL AS order_id, po.posting_key,
				coalesce(p.platform_txn_no, r.platform_txn_no, w.platform_txn_no) AS order_number,
				row_number() OVER (PARTITION BY f.account_id ORDER BY f.id) AS place_in_account
			FROM fund_flows f JOIN postings po ON po.id = f.posting_id
			LEFT JOIN payments p ON f.order_kind = 'PAYMENT' AND p.id = f.order_id
			LEFT JOIN refunds r ON f.order_kind = 'REFUND' AND r.id = f.order_id
			LEFT JOIN withdrawals w ON f.order_kind = 'WITHDRAWAL' AND w.id = f.order_id
			ORDER BY f.flow_no`),
		accounts: await q(sql`SELECT account_no, balance, updated_at FROM accounts ORDER BY account_no`),
		orderRollups: await q(sql`SELECT 'day' AS t, * FROM order_rollup_days WHERE count <> 0 OR amount <> 0
			UNION ALL SELECT 'hour', * FROM order_rollup_hours WHERE count <> 0 OR amount <> 0 ORDER BY 1, 2, 3, 4, 5, 6`),
		flowRollups: await q(sql`SELECT 'day' AS t, * FROM flow_rollup_days WHERE count <> 0 OR amount <> 0
			UNION ALL SELECT 'hour', * FROM flow_rollup_hours WHERE count <> 0 OR amount <> 0 ORDER BY 1, 2, 3, 4, 5, 6`)
	};
}

/** Back to no history at all: the merchant, its users and their (empty) accounts stay. */
async function forgetHistory() {
	await db.transaction().execute(async (trx) => {
		for (const t of ['fund_flows', 'postings', 'refunds', 'withdrawals']) await sql`DELETE FROM ${sql.table(t)}`.execute(trx);
		await sql`DELETE FROM payments WHERE original_payment_id IS NOT NULL`.execute(trx);
		await sql`DELETE FROM payments`.execute(trx);
		await sql`UPDATE accounts SET balance = 0`.execute(trx);
	});
}

describe('the in-memory book writes what the ledger writes', () => {
	let byLedger: { stats: HistoryStats; rows: Awaited<ReturnType<typeof tables>> };
	let byBook: typeof byLedger;

	beforeAll(async () => {
		const stats = await play(throughLedger(db, merchantId));
		byLedger = { stats, rows: await tables() };
		expect(await checkInvariants(db)).toEqual([]);
		await forgetHistory();
		const book = await Book.open(db, merchantId);
		const bookStats = await play(book);
		await book.store(db);
		byBook = { stats: bookStats, rows: await tables() };
	}, 120_000);

	it('plays a history with every kind of order, follow-up and settlement', () => {
		const { payments, refunds, withdrawals, postings } = byLedger.rows;
		const kinds = new Set(payments.map((p) => `${p.txn_type} ${p.status}`));
		for (const k of ['MCH_TOPUP TRADE_SUCCESS', 'USER_TOPUP TRADE_SUCCESS', 'GENERAL_CONSUME TRADE_WAIT_PAY', 'GENERAL_CONSUME TRADE_CLOSE', 'GENERAL_CONSUME TRADE_CANCEL', 'SECURED_CONSUME TRADE_SUCCESS', 'SECURED_CONFIRM TRADE_SUCCESS', 'INNER_FUND_EXCHANGE TRADE_SUCCESS'])
			expect(kinds).toContain(k);
		expect(new Set(refunds.map((r) => r.status))).toEqual(new Set(['TRADE_PROCESSING', 'TRADE_SUCCESS', 'TRADE_FAILURE']));
		expect(new Set(withdrawals.map((w) => w.status))).toEqual(new Set(['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL']));
		expect(postings.filter((p) => p.kind === 'SETTLEMENT')).toHaveLength(6);
		expect(payments.some((p) => BigInt(p.coupon_amount as bigint) > 0n)).toBe(true);
		expect(payments.some((p) => BigInt(p.fee_amount as bigint) > 0n)).toBe(true);
		expect(byLedger.stats.postings).toBeGreaterThan(300);
	});

	it('makes the same calls and meets the same refusals', () => {
		expect(byBook.stats).toEqual(byLedger.stats);
	});

	it('stores the same orders, postings, fund flows, balances and rollups', () => {
		for (const table of Object.keys(byLedger.rows) as (keyof typeof byLedger.rows)[]) {
			expect(byBook.rows[table].length, table).toBe(byLedger.rows[table].length);
			expect(byBook.rows[table], table).toEqual(byLedger.rows[table]);
		}
	});

	it('leaves the ledger invariants holding', async () => {
		expect(await checkInvariants(db)).toEqual([]);
	});
});
