import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '#db';
import { BIG_MERCHANT_NO, seedBig } from '#seed/big.ts';
import { checkInvariants, postPayment, LedgerError } from '#shared/server/ledger/index.ts';

const db = createDb(process.env.DATABASE_URL, 4);
afterAll(async () => {
	await db.destroy();
});

const n = async (q: ReturnType<typeof sql<{ n: string }>>) => Number((await q.execute(db)).rows[0].n);

describe('big merchant seed (set-based)', () => {
	it('writes N orders with refunds, withdrawals and settlements the ledger agrees with', async () => {
		const ORDERS = 6000;
		const DAYS = 8;
		// Just after midnight in Shanghai: today has no window yet, every order lands on a past day.
		const r = await seedBig(db, { orders: ORDERS, days: DAYS, users: 150, now: new Date('2026-06-14T16:20:00Z') });
		expect(r.seeded).toBe(true);
		expect(r.invariants).toEqual([]);
		const mid = r.merchantId!;
		expect(await checkInvariants(db, mid)).toEqual([]);

		const generated = await n(sql`SELECT count(*)::text AS n FROM payments WHERE merchant_id = ${mid} AND txn_type NOT IN ('SECURED_CONFIRM', 'MCH_TOPUP')`);
		expect(generated).toBe(ORDERS);
		const confirms = await n(sql`SELECT count(*)::text AS n FROM payments WHERE merchant_id = ${mid} AND txn_type = 'SECURED_CONFIRM'`);
		expect(confirms).toBeGreaterThan(0);
		const refunds = await n(sql`SELECT count(*)::text AS n FROM refunds WHERE merchant_id = ${mid}`);
		expect(refunds).toBeGreaterThan(ORDERS * 0.01);
		expect(refunds).toBeLessThan(ORDERS * 0.05);
		const withdrawals = await n(sql`SELECT count(*)::text AS n FROM withdrawals WHERE merchant_id = ${mid}`);
		expect(withdrawals).toBeGreaterThan(ORDERS * 0.015);
		expect(withdrawals).toBeLessThan(ORDERS * 0.03);
		// every past day (and the opening day) is settled; today is not
		const settlements = await n(sql`SELECT count(*)::text AS n FROM postings WHERE merchant_id = ${mid} AND kind = 'SETTLEMENT'`);
		expect(settlements).toBe(DAYS);
		const users = await n(sql`SELECT count(*)::text AS n FROM users WHERE merchant_id = ${mid}`);
		expect(users).toBe(150);
		expect(await n(sql`SELECT count(*)::text AS n FROM accounts WHERE merchant_id = ${mid} AND account_type = 'USEROWN'`)).toBe(300);
	}, 240_000);

	it('collides with the ledger on a replayed platform number, like ledger-written data', async () => {
		const m = await db.selectFrom('merchants').select('id').where('merchant_no', '=', BIG_MERCHANT_NO).executeTakeFirstOrThrow();
		const p = await db
			.selectFrom('payments')
			.selectAll()
			.where('merchant_id', '=', m.id)
			.where('txn_type', '=', 'GENERAL_CONSUME')
			.where('status', '=', 'TRADE_SUCCESS')
			.limit(1)
			.executeTakeFirstOrThrow();
		const replay = await postPayment(db, {
			merchantId: m.id,
			platformTxnNo: p.platform_txn_no,
			merchantOrderNo: p.merchant_order_no,
			txnType: 'GENERAL_CONSUME',
			status: 'TRADE_SUCCESS',
			amount: p.amount,
			payMethod: p.pay_method,
			userId: p.user_id,
			createdAt: p.created_at
		});
		expect(replay).toMatchObject({ created: false, paymentId: p.id });
		await expect(
			postPayment(db, { merchantId: m.id, platformTxnNo: p.platform_txn_no, merchantOrderNo: 'X1', txnType: 'GENERAL_CONSUME', status: 'TRADE_SUCCESS', amount: 1n, createdAt: new Date() })
		).rejects.toBeInstanceOf(LedgerError);
		expect(await checkInvariants(db, m.id)).toEqual([]);
		// a second seed run leaves the merchant alone; --reset replaces it
		expect((await seedBig(db, { orders: 10, days: 2 })).seeded).toBe(false);
		const again = await seedBig(db, { orders: 500, days: 3, users: 20, reset: true });
		expect(again).toMatchObject({ seeded: true, invariants: [] });
		expect(again.merchantId).not.toBe(m.id);
		const left = await sql<{ n: string }>`SELECT count(*)::text AS n FROM payments WHERE merchant_id = ${m.id}`.execute(db);
		expect(left.rows[0].n).toBe('0');
		expect(await checkInvariants(db)).toEqual([]);
	}, 120_000);
});
