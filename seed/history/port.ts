// What the history generator asks of a ledger: the ledger's own calls, plus the balances and
// statuses it reads to choose what happens next. The in-memory Book answers for the seed;
// throughLedger answers with src/lib/server/ledger itself (the reference the Book is tested against).
import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import {
	closePayment,
	completePayment,
	completeRefund,
	postPayment,
	postRefund,
	postWithdrawal,
	runDailySettlement,
	updateWithdrawalStatus
} from '#shared/server/ledger/index.ts';
import type { Book } from '../book/index.ts';

export type LedgerPort = Pick<
	Book,
	| 'postPayment'
	| 'completePayment'
	| 'closePayment'
	| 'postRefund'
	| 'completeRefund'
	| 'postWithdrawal'
	| 'updateWithdrawalStatus'
	| 'runDailySettlement'
	| 'balance'
	| 'statuses'
>;

/** Every call is one ledger transaction on `db`: slow (several round trips a posting), and exact. */
export function throughLedger(db: Kysely<DB>, merchantId: bigint): LedgerPort {
	return {
		postPayment: (p) => postPayment(db, p),
		completePayment: (i) => completePayment(db, i),
		closePayment: (i) => closePayment(db, i),
		postRefund: (r) => postRefund(db, r),
		completeRefund: (i) => completeRefund(db, i),
		postWithdrawal: (w) => postWithdrawal(db, w),
		updateWithdrawalStatus: (i) => updateWithdrawalStatus(db, i),
		runDailySettlement: (i) => runDailySettlement(db, i),
		async balance(r) {
			const a = await db
				.selectFrom('accounts')
				.select('balance')
				.where('merchant_id', '=', merchantId)
				.where('account_type', '=', r.type)
				.where('sub_type', '=', r.sub)
				.where((eb) => (r.userId === null ? eb('user_id', 'is', null) : eb('user_id', '=', r.userId)))
				.executeTakeFirstOrThrow();
			return a.balance;
		},
		async statuses(table) {
			const r = await sql<{ status: string }>`SELECT DISTINCT status FROM ${sql.table(table)} WHERE merchant_id = ${merchantId}`.execute(db);
			return new Set(r.rows.map((x) => x.status));
		}
	};
}
