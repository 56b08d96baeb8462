import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '#db/types.ts';

const SAMPLE = 5;

/**
 * Checks the DESIGN.md ledger invariants in SQL, one pass over the data per check, and
 * returns one line per violation kind (with a few example ids); [] when all hold.
 * With a merchantId only that merchant's data is read.
 */
export async function checkInvariants(db: Kysely<DB>, merchantId?: bigint): Promise<string[]> {
	const m = (col: string) => (merchantId === undefined ? sql`TRUE` : sql`${sql.ref(col)} = ${merchantId}`);
	const signed = sql`CASE f.direction WHEN 'CREDIT' THEN f.amount ELSE -f.amount END`;

	const checks: [string, RawBuilder<{ id: string }>][] = [
		[
			'account balance differs from the sum of its flows',
			sql`SELECT a.id::text AS id FROM accounts a
				LEFT JOIN (SELECT f.account_id, sum(${signed}) AS total FROM fund_flows f WHERE ${m('f.merchant_id')} GROUP BY f.account_id) s
				ON s.account_id = a.id
				WHERE ${m('a.merchant_id')} AND a.balance <> coalesce(s.total, 0)`
		],
		[
			'flow balance_after does not follow the previous flow of its account',
			sql`SELECT id::text AS id FROM (
				SELECT f.id, f.balance_after - ${signed} AS before,
					coalesce(lag(f.balance_after) OVER (PARTITION BY f.account_id ORDER BY f.id), 0) AS prev
				FROM fund_flows f WHERE ${m('f.merchant_id')}) c
				WHERE before <> prev`
		],
		[
			'posting debits differ from its credits',
			sql`SELECT f.posting_id::text AS id FROM fund_flows f WHERE ${m('f.merchant_id')}
				GROUP BY f.posting_id HAVING sum(${signed}) <> 0`
		],
		[
			'guarantee account paid out other than by a confirmation or a guarantee refund',
			sql`SELECT f.id::text AS id FROM fund_flows f
				LEFT JOIN refunds r ON f.order_kind = 'REFUND' AND r.id = f.order_id
				LEFT JOIN payments p ON p.id = r.payment_id
				WHERE ${m('f.merchant_id')} AND f.account_type = 'MCHASSURE' AND f.direction = 'DEBIT'
				AND NOT (f.txn_type = 'SECURED_CONFIRM'
					OR (f.txn_type = 'REFUND' AND p.txn_type = 'SECURED_CONSUME')
					OR (f.txn_type = 'DAILY_SETTLEMENT' AND f.sub_type = 'PSETTLE'))`
		],
		[
			'refunded_amount is not the sum of successful refunds, or exceeds the payment',
			sql`SELECT p.id::text AS id FROM payments p
				LEFT JOIN (SELECT r.payment_id, sum(r.amount) AS total FROM refunds r
					WHERE ${m('r.merchant_id')} AND r.status = 'TRADE_SUCCESS' GROUP BY r.payment_id) s ON s.payment_id = p.id
				WHERE ${m('p.merchant_id')} AND (p.refunded_amount <> coalesce(s.total, 0) OR p.refunded_amount > p.amount)`
		],
		[
			'refunds in flight exceed what is left of the payment',
			sql`SELECT p.id::text AS id FROM payments p
				JOIN (SELECT r.payment_id, sum(r.amount) AS total FROM refunds r
					WHERE ${m('r.merchant_id')} AND r.status = 'TRADE_PROCESSING' GROUP BY r.payment_id) s ON s.payment_id = p.id
				WHERE ${m('p.merchant_id')} AND p.refunded_amount + s.total
					+ CASE p.txn_type WHEN 'SECURED_CONSUME' THEN p.confirmed_amount ELSE 0 END > p.amount`
		],
		[
			'confirmed_amount is not the sum of successful confirmations, or exceeds what the guarantee held',
			sql`SELECT p.id::text AS id FROM payments p
				LEFT JOIN (SELECT c.original_payment_id, sum(c.amount) AS total FROM payments c
					WHERE ${m('c.merchant_id')} AND c.txn_type = 'SECURED_CONFIRM' AND c.status = 'TRADE_SUCCESS'
					GROUP BY c.original_payment_id) s ON s.original_payment_id = p.id
				WHERE ${m('p.merchant_id')} AND (p.confirmed_amount <> coalesce(s.total, 0)
					OR p.confirmed_amount + CASE p.txn_type WHEN 'SECURED_CONSUME' THEN p.refunded_amount ELSE 0 END > p.amount)`
		],
		[
			'account other than CLEARING is negative',
			sql`SELECT a.id::text AS id FROM accounts a WHERE ${m('a.merchant_id')} AND a.balance < 0 AND a.account_type <> 'CLEARING'`
		]
	];

	const results = await Promise.all(
		checks.map(async ([what, query]) => {
			const r = await sql<{ id: string; n: bigint }>`SELECT id, count(*) OVER () AS n FROM (${query}) q LIMIT ${SAMPLE}`.execute(db);
			if (r.rows.length === 0) return null;
			return `${what}: ${r.rows[0].n} (e.g. ${r.rows.map((x) => x.id).join(', ')})`;
		})
	);
	return results.filter((x): x is string => x !== null);
}
