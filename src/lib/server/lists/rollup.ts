// The rollup tables (migration 0003) are kept exact by triggers on every insert, update and
// delete of orders and fund flows. rebuildRollups recomputes one merchant's rows from scratch,
// set-based: for a bulk load run with the triggers disabled, or to repair after a TRUNCATE.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '#db/types.ts';

const DAY = sql.raw(`date_trunc('day', created_at, 'Asia/Shanghai')`);
const HOUR = sql.raw(`date_trunc('hour', created_at, 'UTC')`);

const ORDER_SOURCES = [
	{ list: 'payments', table: 'payments', type: sql.raw('txn_type') },
	{ list: 'refunds', table: 'refunds', type: sql.raw(`'REFUND'::text`) },
	{ list: 'withdrawals', table: 'withdrawals', type: sql.raw('txn_type') }
] as const;

export async function rebuildRollups(db: Kysely<DB> | Transaction<DB>, merchantId: bigint): Promise<void> {
	const run = async (trx: Kysely<DB>) => {
		for (const t of ['order_rollup_days', 'order_rollup_hours', 'flow_rollup_days', 'flow_rollup_hours'] as const)
			await trx.deleteFrom(t).where('merchant_id', '=', merchantId).execute();
		for (const [target, bucket] of [
			['order_rollup_days', DAY],
			['order_rollup_hours', HOUR]
		] as const) {
			for (const s of ORDER_SOURCES) {
				await sql`
					INSERT INTO ${sql.table(target)} (merchant_id, list, bucket, txn_type, status, count, amount)
					SELECT merchant_id, ${s.list}, ${bucket}, ${s.type}, status, count(*), sum(amount)::bigint
					  FROM ${sql.table(s.table)} WHERE merchant_id = ${merchantId}
					 GROUP BY 1, 2, 3, 4, 5`.execute(trx);
			}
			const flowTarget = target === 'order_rollup_days' ? 'flow_rollup_days' : 'flow_rollup_hours';
			await sql`
				INSERT INTO ${sql.table(flowTarget)} (merchant_id, account_id, bucket, txn_type, direction, count, amount)
				SELECT merchant_id, account_id, ${bucket}, txn_type, direction, count(*), sum(amount)::bigint
				  FROM fund_flows WHERE merchant_id = ${merchantId}
				 GROUP BY 1, 2, 3, 4, 5`.execute(trx);
		}
	};
	if (db.isTransaction) await run(db);
	else await db.transaction().execute(run);
}

/** Rows where a rollup disagrees with its orders or flows (empty when exact); for tests and checks. */
export async function rollupDrift(db: Kysely<DB>, merchantId: bigint): Promise<unknown[]> {
	const r = await sql`
		WITH truth AS (
		  SELECT 'D' AS g, list, bucket, txn_type, status, count(*) AS count, sum(amount) AS amount FROM (
		    SELECT 'payments' AS list, ${DAY} AS bucket, txn_type, status, amount FROM payments WHERE merchant_id = ${merchantId}
		    UNION ALL SELECT 'refunds', ${DAY}, 'REFUND', status, amount FROM refunds WHERE merchant_id = ${merchantId}
		    UNION ALL SELECT 'withdrawals', ${DAY}, txn_type, status, amount FROM withdrawals WHERE merchant_id = ${merchantId}
		  ) o GROUP BY 1, 2, 3, 4, 5
		  UNION ALL
		  SELECT 'H', list, bucket, txn_type, status, count(*), sum(amount) FROM (
		    SELECT 'payments' AS list, ${HOUR} AS bucket, txn_type, status, amount FROM payments WHERE merchant_id = ${merchantId}
		    UNION ALL SELECT 'refunds', ${HOUR}, 'REFUND', status, amount FROM refunds WHERE merchant_id = ${merchantId}
		    UNION ALL SELECT 'withdrawals', ${HOUR}, txn_type, status, amount FROM withdrawals WHERE merchant_id = ${merchantId}
		  ) o GROUP BY 1, 2, 3, 4, 5
		  UNION ALL
		  SELECT 'FD', account_id::text, ${DAY}, txn_type, direction, count(*), sum(amount) FROM fund_flows WHERE merchant_id = ${merchantId} GROUP BY 1, 2, 3, 4, 5
		  UNION ALL
		  SELECT 'FH', account_id::text, ${HOUR}, txn_type, direction, count(*), sum(amount) FROM fund_flows WHERE merchant_id = ${merchantId} GROUP BY 1, 2, 3, 4, 5
		), kept AS (
		  SELECT 'D' AS g, list, bucket, txn_type, status, count, amount FROM order_rollup_days WHERE merchant_id = ${merchantId} AND count <> 0
		  UNION ALL SELECT 'H', list, bucket, txn_type, status, count, amount FROM order_rollup_hours WHERE merchant_id = ${merchantId} AND count <> 0
		  UNION ALL SELECT 'FD', account_id::text, bucket, txn_type, direction, count, amount FROM flow_rollup_days WHERE merchant_id = ${merchantId} AND count <> 0
		  UNION ALL SELECT 'FH', account_id::text, bucket, txn_type, direction, count, amount FROM flow_rollup_hours WHERE merchant_id = ${merchantId} AND count <> 0
		)
		SELECT coalesce(t.g, k.g) AS g, coalesce(t.list, k.list) AS list, coalesce(t.bucket, k.bucket) AS bucket,
		       coalesce(t.txn_type, k.txn_type) AS txn_type, coalesce(t.status, k.status) AS status,
		       t.count AS true_count, k.count AS kept_count, t.amount AS true_amount, k.amount AS kept_amount
		  FROM truth t FULL JOIN kept k USING (g, list, bucket, txn_type, status)
		 WHERE t.count IS DISTINCT FROM k.count OR t.amount IS DISTINCT FROM k.amount`.execute(db);
	return r.rows;
}
