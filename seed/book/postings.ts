// The book's writePosting: one balanced posting, a flow per leg with its balance after, the
// new balances. Everything is checked before anything changes, so a refused posting leaves
// the book as it was (the ledger gets the same from its savepoint).
import type { FlowTxnType, OrderKind } from '#db/types.ts';
import { refKey } from '#shared/server/ledger/accounts.ts';
import { LedgerError } from '#shared/server/ledger/index.ts';
import type { AccountRef } from '#shared/server/ledger/index.ts';
import type { BookAccount, BookState, FlowRow } from './state.ts';

export interface Transfer {
	from: AccountRef;
	to: AccountRef;
	amount: bigint;
	txnType: FlowTxnType;
	memo: string;
}

export interface PostingHeader {
	postingKey: string;
	kind: string;
	orderKind: OrderKind;
	orderId: bigint | null;
	orderNo: string;
	merchantOrderNo: string | null;
	payMethod: string | null;
	at: Date;
	accountingDate: string;
	flowNoPrefix: string;
}

export function account(book: BookState, r: AccountRef): BookAccount {
	const a = book.accounts.get(refKey(r));
	if (!a) throw new LedgerError('ledger.invalidPosting', `account ${refKey(r)} missing`);
	return a;
}

/** Refuses a posting key that exists (the postings table's unique key). */
function claimPostingKey(book: BookState, key: string): void {
	if (book.postings.get(key)) throw new LedgerError('ledger.conflict', `posting ${key} exists`);
}

/** Writes the posting row only (a settlement with nothing pending still has one). */
export function addPosting(book: BookState, key: string, kind: string, at: Date): bigint {
	claimPostingKey(book, key);
	const id = book.postings.nextId();
	book.postings.add({ id, merchant_id: book.merchantId, posting_key: key, kind, created_at: at }, key);
	return id;
}

export function writePosting(book: BookState, h: PostingHeader, transfers: Transfer[]): bigint {
	if (transfers.some((t) => t.amount < 0n)) throw new LedgerError('ledger.invalidPosting', 'negative leg');
	claimPostingKey(book, h.postingKey);
	const legs = transfers.filter((t) => t.amount > 0n);
	const balances = new Map<BookAccount, bigint>();
	const rows: Omit<FlowRow, 'id' | 'posting_id'>[] = [];
	const leg = (acc: BookAccount, counter: BookAccount, direction: 'CREDIT' | 'DEBIT', t: Transfer) => {
		const before = balances.get(acc) ?? acc.balance;
		const after = direction === 'CREDIT' ? before + t.amount : before - t.amount;
		if (after < 0n && acc.type !== 'CLEARING') throw new LedgerError('ledger.insufficientFunds', `${acc.accountNo} ${before} < ${t.amount}`);
		balances.set(acc, after);
		rows.push({
			merchant_id: book.merchantId,
			flow_no: `${h.flowNoPrefix}-${String(rows.length + 1).padStart(2, '0')}`,
			account_id: acc.id,
			account_type: acc.type,
			sub_type: acc.sub,
			user_id: acc.userId,
			txn_type: t.txnType,
			direction,
			amount: t.amount,
			balance_after: after,
			accounting_date: h.accountingDate,
			order_kind: h.orderKind,
			order_id: h.orderId,
			order_no: h.orderNo,
			merchant_order_no: h.merchantOrderNo,
			pay_method: h.payMethod,
			counter_account_no: counter.accountNo,
			memo: t.memo,
			created_at: h.at
		});
	};
	for (const t of legs) {
		const from = account(book, t.from);
		const to = account(book, t.to);
		leg(from, to, 'DEBIT', t);
		leg(to, from, 'CREDIT', t);
	}
	const postingId = addPosting(book, h.postingKey, h.kind, h.at);
	let flowId = BigInt(book.flows.length);
	for (const r of rows) book.flows.push({ ...r, id: ++flowId, posting_id: postingId });
	for (const [acc, balance] of balances) {
		acc.balance = balance;
		acc.updatedAt = h.at;
	}
	return postingId;
}
