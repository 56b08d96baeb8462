// What an in-memory book of one merchant holds: its accounts with their balances, and every
// row the ledger would have written, in the order it would have written them. Ids here are
// local (1, 2, … per table); write.ts swaps them for real ones when the book is stored.
import type { Selectable } from 'kysely';
import type { AccountType, FundFlowsTable, PaymentsTable, PostingsTable, RefundsTable, SubType, WithdrawalsTable } from '#db/types.ts';

export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type WithdrawalRow = Selectable<WithdrawalsTable>;
type PostingRow = Selectable<PostingsTable>;
export type FlowRow = Selectable<FundFlowsTable>;

export interface BookAccount {
	id: bigint;
	userId: bigint | null;
	type: AccountType;
	sub: SubType;
	accountNo: string;
	balance: bigint;
	/** Set by every posting that touches the account, as the ledger's UPDATE does; null if none did. */
	updatedAt: Date | null;
}

/** Rows of one kind with their unique keys, so a repeated number is refused as the database would. */
export class Rows<T extends { id: bigint }> {
	readonly all: T[] = [];
	private readonly byKey = new Map<string, T>();

	nextId(): bigint {
		return BigInt(this.all.length + 1);
	}

	add(row: T, key: string): void {
		this.all.push(row);
		this.byKey.set(key, row);
	}

	get(key: string): T | undefined {
		return this.byKey.get(key);
	}

	byId(id: bigint): T {
		return this.all[Number(id) - 1];
	}
}

export interface BookState {
	merchantId: bigint;
	merchantNo: string;
	/** refKey → account */
	accounts: Map<string, BookAccount>;
	users: Map<bigint, { userNo: string; name: string }>;
	payments: Rows<PaymentRow>;
	/** merchant_order_no values taken (unique per merchant, like platform numbers) */
	paymentOrderNos: Set<string>;
	refunds: Rows<RefundRow>;
	refundNos: Set<string>;
	/** payment id → the sum of its refunds still TRADE_PROCESSING */
	refundsInFlight: Map<bigint, bigint>;
	withdrawals: Rows<WithdrawalRow>;
	withdrawalOrderNos: Set<string>;
	postings: Rows<PostingRow>;
	flows: FlowRow[];
}
