// The book's runDailySettlement (日终结转): every PSETTLE account with money moves all of it
// to its AVAILABLE twin, under one posting per merchant and day, with the ledger's flow numbers.
import { LedgerError } from '#shared/server/ledger/index.ts';
import type { SettlementInput, SettlementResult } from '#shared/server/ledger/index.ts';
import { refKey } from '#shared/server/ledger/accounts.ts';
import { memoText } from '#shared/server/ledger/errors.ts';
import { addPosting } from './postings.ts';
import type { BookState } from './state.ts';

export function runDailySettlement(book: BookState, input: SettlementInput): SettlementResult {
	const { accountingDate, at } = input;
	if (!/^\d{4}-\d{2}-\d{2}$/.test(accountingDate)) throw new LedgerError('ledger.invalidPosting', accountingDate);
	const postingKey = `SETTLE:${book.merchantId}:${accountingDate}`;
	if (book.postings.get(postingKey)) return { flows: 0, created: false };
	const postingId = addPosting(book, postingKey, 'SETTLEMENT', at);
	const pending = [...book.accounts.values()].filter((a) => a.sub === 'PSETTLE' && a.balance > 0n).sort((a, b) => (a.id < b.id ? -1 : 1));
	const memo = memoText('DAILY_SETTLEMENT');
	const orderNo = `SETTLE-${book.merchantId}-${accountingDate}`;
	let flowId = BigInt(book.flows.length);
	for (const p of pending) {
		const a = book.accounts.get(refKey({ type: p.type, sub: 'AVAILABLE', userId: p.userId }))!;
		const amount = p.balance;
		const common = {
			merchant_id: book.merchantId,
			posting_id: postingId,
			account_type: p.type,
			user_id: p.userId,
			txn_type: 'DAILY_SETTLEMENT' as const,
			amount,
			accounting_date: accountingDate,
			order_kind: 'SETTLEMENT' as const,
			order_id: null,
			order_no: orderNo,
			merchant_order_no: null,
			pay_method: null,
			memo,
			created_at: at
		};
		book.flows.push(
			{ ...common, id: ++flowId, flow_no: `${orderNo}-${p.id}D`, account_id: p.id, sub_type: 'PSETTLE', direction: 'DEBIT', balance_after: 0n, counter_account_no: a.accountNo },
			{ ...common, id: ++flowId, flow_no: `${orderNo}-${a.id}C`, account_id: a.id, sub_type: 'AVAILABLE', direction: 'CREDIT', balance_after: a.balance + amount, counter_account_no: p.accountNo }
		);
		p.balance = 0n;
		a.balance += amount;
		p.updatedAt = a.updatedAt = at;
	}
	return { flows: pending.length * 2, created: true };
}
