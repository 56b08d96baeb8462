// The statements rows: one per merchant and accounting day, created when first needed.
import type { Db } from '#db';
import { abandoned } from '../leased-build.ts';

/** The statements row of (merchant, day), created PENDING if missing, and whether its build was abandoned. */
export async function upsertStatement(db: Db, merchantId: bigint, accountingDate: string, requestedBy: bigint | null = null) {
	await db
		.insertInto('statements')
		.values({ merchant_id: merchantId, accounting_date: accountingDate, requested_by: requestedBy })
		.onConflict((oc) => oc.columns(['merchant_id', 'accounting_date']).doNothing())
		.execute();
	return db
		.selectFrom('statements')
		.selectAll()
		.select(abandoned('statements').as('abandoned'))
		.where('merchant_id', '=', merchantId)
		.where('accounting_date', '=', accountingDate)
		.executeTakeFirstOrThrow();
}
