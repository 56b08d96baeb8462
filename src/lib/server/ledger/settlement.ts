import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { LedgerError, memoText } from './errors.ts';
import { closedThrough, openDateFor } from './close.ts';
import { inTransaction } from './tx.ts';
import type { SettlementInput, SettlementResult } from './types.ts';

/**
 * End-of-day settlement (日终结转): every PSETTLE account of the merchant and its users with
 * a positive balance moves it all to the same account's AVAILABLE. One posting per merchant
 * and day (idempotent), written set-based because a merchant may have millions of users.
 */
export async function runDailySettlement(db: Kysely<DB>, input: SettlementInput): Promise<SettlementResult> {
	const { merchantId, at } = input;
	const requested = input.accountingDate;
	if (!/^\d{4}-\d{2}-\d{2}$/.test(requested)) throw new LedgerError('ledger.invalidPosting', requested);
	const postingKey = `SETTLE:${merchantId}:${requested}`;
	return inTransaction(db, async (trx) => {
		// A settlement asked for a closed date is booked on the first open one (ledger/close.ts).
		const accountingDate = openDateFor(requested, await closedThrough(trx, merchantId));
		const inserted = await trx
			.insertInto('postings')
			.values({ merchant_id: merchantId, posting_key: postingKey, kind: 'SETTLEMENT', created_at: at })
			.onConflict((oc) => oc.column('posting_key').doNothing())
			.returning('id')
			.executeTakeFirst();
		if (!inserted) return { flows: 0, created: false };
		const postingId = inserted.id;

		// Lock the pending accounts with money and their AVAILABLE twins, in id order like every posting.
		// FOR UPDATE re-checks `balance > 0` on the PSETTLE rows, so a pair is settled only if its
		// PSETTLE row is locked here.
		const locked = await sql<{ id: bigint; sub_type: string }>`
			SELECT a.id, a.sub_type FROM accounts a
			WHERE a.merchant_id = ${merchantId} AND (
				(a.sub_type = 'PSETTLE' AND a.balance > 0) OR
				(a.sub_type = 'AVAILABLE' AND EXISTS (
					SELECT 1 FROM accounts p WHERE p.merchant_id = a.merchant_id AND p.sub_type = 'PSETTLE' AND p.balance > 0
					AND p.account_type = a.account_type AND p.user_id IS NOT DISTINCT FROM a.user_id)))
			ORDER BY a.id FOR UPDATE`.execute(trx);
		const pending = locked.rows.filter((r) => r.sub_type === 'PSETTLE').map((r) => r.id);
		if (pending.length === 0) return { flows: 0, created: true };

		const memo = memoText('DAILY_SETTLEMENT');
		const orderNo = `SETTLE-${merchantId}-${requested}`;
		const flows = await sql`
			INSERT INTO fund_flows (merchant_id, posting_id, flow_no, account_id, account_type, sub_type, user_id, txn_type,
				direction, amount, balance_after, accounting_date, order_kind, order_id, order_no, merchant_order_no,
				pay_method, counter_account_no, memo, created_at)
			SELECT p.merchant_id, ${postingId}, ${orderNo} || '-' || x.acc_id || x.dir_code, x.acc_id, p.account_type, x.sub_type,
				p.user_id, 'DAILY_SETTLEMENT', x.direction, p.balance, x.balance_after, ${accountingDate}::date, 'SETTLEMENT', NULL,
				${orderNo}, NULL, NULL, x.counter_no, ${memo}, ${at}
			FROM accounts p
			JOIN accounts a ON a.merchant_id = p.merchant_id AND a.account_type = p.account_type
				AND a.user_id IS NOT DISTINCT FROM p.user_id AND a.sub_type = 'AVAILABLE'
			CROSS JOIN LATERAL (VALUES
				(p.id, 'PSETTLE', 'DEBIT', 0::bigint, a.account_no, 'D'),
				(a.id, 'AVAILABLE', 'CREDIT', a.balance + p.balance, p.account_no, 'C')
			) AS x(acc_id, sub_type, direction, balance_after, counter_no, dir_code)
			WHERE p.id = ANY(${pending}::bigint[]) AND p.sub_type = 'PSETTLE' AND p.balance > 0`.execute(trx);
		await sql`
			UPDATE accounts SET balance = f.balance_after, updated_at = ${at}
			FROM fund_flows f WHERE f.posting_id = ${postingId} AND f.account_id = accounts.id`.execute(trx);
		return { flows: Number(flows.numAffectedRows ?? 0n), created: true };
	});
}
