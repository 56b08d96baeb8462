// The book's writePosting: one balanced posting, a flow per leg with its balance after, the
// new balances. Everything is checked before anything changes, so a refused posting leaves
// the book as it was (the ledger gets the same from its savepoint).
import { refKey } from '#shared/server/ledger/accounts.ts';
import { LedgerError } from '#shared/server/ledger/index.ts';
import type { AccountRef } from '#shared/server/ledger/index.ts';
import { legRows, type PostingHeader as LedgerHeader, type Transfer } from '#shared/server/ledger/post.ts';
import type { BookAccount, BookState } from './state.ts';


/** The ledger's header but for the merchant, which is the book's. */
export type PostingHeader = Omit<LedgerHeader, 'merchantId'>;

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
	const { rows, balances } = legRows({ ...h, merchantId: book.merchantId }, legs, (r) => account(book, r));
	const postingId = addPosting(book, h.postingKey, h.kind, h.at);
	let flowId = BigInt(book.flows.length);
	for (const r of rows) book.flows.push({ ...r, id: ++flowId, posting_id: postingId });
	for (const [acc, balance] of balances) {
		acc.balance = balance;
		acc.updatedAt = h.at;
	}
	return postingId;
}
