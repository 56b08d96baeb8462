// An in-memory ledger for one merchant's seeded history: the same calls, refusals and rows as
// src/lib/server/ledger, with no round trip per posting. store() then writes every row
// set-based (tests/seed/book.test.ts replays a history through both and compares the tables).
import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { refKey } from '#shared/server/ledger/accounts.ts';
import type {
	AccountRef,
	ClosePaymentInput,
	CompletePaymentInput,
	CompleteRefundInput,
	PaymentPosting,
	RefundPosting,
	SettlementInput,
	WithdrawalPosting,
	WithdrawalStatusInput
} from '#shared/server/ledger/index.ts';
import { closePayment, completePayment, postPayment } from './payments.ts';
import { account } from './postings.ts';
import { completeRefund, postRefund } from './refunds.ts';
import { runDailySettlement } from './settlement.ts';
import { Rows, type BookState } from './state.ts';
import { postWithdrawal, updateWithdrawalStatus } from './withdrawals.ts';
import { storeBook, type StoredCounts } from './write.ts';

export class Book {
	private constructor(private readonly state: BookState) {}

	/** Reads the merchant's accounts (opened already, as the seed does before any posting) and users. */
	static async open(db: Kysely<DB>, merchantId: bigint): Promise<Book> {
		const m = await db.selectFrom('merchants').select('merchant_no').where('id', '=', merchantId).executeTakeFirstOrThrow();
		const accounts = await db
			.selectFrom('accounts')
			.select(['id', 'user_id', 'account_type', 'sub_type', 'account_no', 'balance'])
			.where('merchant_id', '=', merchantId)
			.execute();
		const users = await db.selectFrom('users').select(['id', 'user_no', 'name']).where('merchant_id', '=', merchantId).execute();
		return new Book({
			merchantId,
			merchantNo: m.merchant_no,
			accounts: new Map(
				accounts.map((a) => [
					refKey({ type: a.account_type, sub: a.sub_type, userId: a.user_id }),
					{ id: a.id, userId: a.user_id, type: a.account_type, sub: a.sub_type, accountNo: a.account_no, balance: a.balance, updatedAt: null }
				])
			),
			users: new Map(users.map((u) => [u.id, { userNo: u.user_no, name: u.name }])),
			payments: new Rows(),
			paymentOrderNos: new Set(),
			refunds: new Rows(),
			refundNos: new Set(),
			refundsInFlight: new Map(),
			withdrawals: new Rows(),
			withdrawalOrderNos: new Set(),
			postings: new Rows(),
			flows: []
		});
	}

	async postPayment(p: PaymentPosting) {
		return postPayment(this.state, p);
	}
	async completePayment(input: CompletePaymentInput) {
		return completePayment(this.state, input);
	}
	async closePayment(input: ClosePaymentInput) {
		return closePayment(this.state, input);
	}
	async postRefund(r: RefundPosting) {
		return postRefund(this.state, r);
	}
	async completeRefund(input: CompleteRefundInput) {
		return completeRefund(this.state, input);
	}
	async postWithdrawal(w: WithdrawalPosting) {
		return postWithdrawal(this.state, w);
	}
	async updateWithdrawalStatus(input: WithdrawalStatusInput) {
		return updateWithdrawalStatus(this.state, input);
	}
	async runDailySettlement(input: SettlementInput) {
		return runDailySettlement(this.state, input);
	}

	/** What the ledger's accounts table would show now. */
	async balance(r: AccountRef): Promise<bigint> {
		return account(this.state, r).balance;
	}

	async statuses(table: 'payments' | 'refunds' | 'withdrawals'): Promise<Set<string>> {
		return new Set(this.state[table].all.map((r) => r.status));
	}

	/** Writes every row in one transaction; the book is spent afterwards. */
	store(db: Kysely<DB>): Promise<StoredCounts> {
		return db.transaction().execute((trx) => storeBook(trx, this.state));
	}
}
