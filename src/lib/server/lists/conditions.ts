// A money list's filter as the engine reads it. What the rollup is keyed by narrows the rows
// and the rollup alike, so the total can still come from the rollup; anything else narrows
// only the rows and makes the filter selective (total and pages read directly).
// No $lib imports (#db, #shared are fine): the export job imports this under plain Node.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '#db/types.ts';
import { and, type ListSource, type RollupSource } from './engine.ts';
import { userIdByNo } from './lookups.ts';

export class ListConditions {
	private readonly rows: RawBuilder<unknown>[];
	private readonly rollupRows: RawBuilder<unknown>[];
	private selective = false;

	/** `scope`: what limits the list besides the merchant, said once over the rows and once over the rollup. */
	constructor(
		private readonly merchantId: bigint,
		private readonly table: 'payments' | 'refunds' | 'withdrawals' | 'fund_flows',
		private readonly rollup: RollupSource['table'],
		scope: { rows?: RawBuilder<unknown>[]; rollup: RawBuilder<unknown> }
	) {
		this.rows = [sql`merchant_id = ${merchantId}`, ...(scope.rows ?? [])];
		this.rollupRows = [sql`merchant_id = ${merchantId}`, scope.rollup];
	}

	/** An enum filter on a column the rollup is keyed by; '' is 全部. */
	keyed(column: 'txn_type' | 'status' | 'direction', value: string): void {
		if (!value) return;
		this.rows.push(sql`${sql.ref(column)} = ${value}`);
		this.rollupRows.push(sql`${sql.ref(column)} = ${value}`);
	}

	narrow(cond: RawBuilder<unknown>): void {
		this.rows.push(cond);
		this.selective = true;
	}

	/** An exact-match text filter; '' is not set. */
	exact(column: 'merchant_order_no' | 'card_no' | 'refund_no', value: string): void {
		if (value) this.narrow(sql`${sql.ref(column)} = ${value}`);
	}

	/** The 用户号 filter ('' is not set); false when the merchant has no such user, so nothing can match. */
	async ofUserNo(db: Kysely<DB>, userNo: string): Promise<boolean> {
		if (!userNo) return true;
		const userId = await userIdByNo(db, this.merchantId, userNo);
		if (userId === null) return false;
		this.narrow(sql`user_id = ${userId}`);
		return true;
	}

	source(): ListSource {
		return {
			table: this.table,
			timeColumn: 'created_at',
			where: and(this.rows),
			amountColumn: 'amount',
			rollup: this.selective ? null : { table: this.rollup, where: and(this.rollupRows) }
		};
	}
}

/** The order lists share one rollup, told apart by its `list` column. */
export function orderConditions(merchantId: bigint, list: 'payments' | 'refunds' | 'withdrawals'): ListConditions {
	return new ListConditions(merchantId, list, 'order', { rollup: sql`list = ${sql.lit(list)}` });
}
