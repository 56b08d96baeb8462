// The book's postWithdrawal / updateWithdrawalStatus: the rows and refusals of
// src/lib/server/ledger/withdrawals.ts (money leaves at creation; a failure or 退汇 puts it back).
import { LedgerError } from '#shared/server/ledger/index.ts';
import type { StatusChange, WithdrawalPosting, WithdrawalResult, WithdrawalStatusInput } from '#shared/server/ledger/index.ts';
import { memoText } from '#shared/server/ledger/errors.ts';
import { businessDateOf as businessDate } from './dates.ts';
import { MONEY_OUT, NEXT, withdrawalTransfers } from '#shared/server/ledger/withdrawals.ts';
import { writePosting, type PostingHeader } from './postings.ts';
import type { BookState, WithdrawalRow } from './state.ts';

function header(w: WithdrawalRow, postingKey: string, kind: string, at: Date, flowNoPrefix: string): PostingHeader {
	return {
		postingKey,
		kind,
		orderKind: 'WITHDRAWAL',
		orderId: w.id,
		orderNo: w.platform_txn_no,
		merchantOrderNo: w.merchant_order_no,
		payMethod: null,
		at,
		accountingDate: businessDate(at),
		flowNoPrefix
	};
}

export function postWithdrawal(book: BookState, w: WithdrawalPosting): WithdrawalResult {
	const fee = w.feeAmount ?? 0n;
	if (w.amount <= 0n || fee < 0n) throw new LedgerError('ledger.invalidPosting', `${w.platformTxnNo}: amounts`);
	if (w.txnType !== 'ACCT_CASH_OUT' && w.txnType !== 'OUTER_FUND_EXCHANGE') throw new LedgerError('ledger.invalidPosting', `${w.platformTxnNo}: txn type ${w.txnType}`);
	if (w.userId != null && !book.users.has(w.userId)) throw new LedgerError('ledger.unknownUser', String(w.userId));
	if (!/^[0-9]{12,19}$/.test(w.cardNo)) throw new LedgerError('ledger.invalidPosting', `${w.platformTxnNo}: card number`);
	if (w.merchantId !== book.merchantId) throw new LedgerError('ledger.unknownMerchant', String(w.merchantId));
	if (book.withdrawals.get(w.platformTxnNo) || book.withdrawalOrderNos.has(w.merchantOrderNo))
		throw new LedgerError('ledger.conflict', `${w.platformTxnNo} / ${w.merchantOrderNo}`);
	const moves = MONEY_OUT.has(w.status);
	const final = w.status !== 'TRADE_CHECKING' && w.status !== 'TRADE_PREPAID';
	const row: WithdrawalRow = {
		id: book.withdrawals.nextId(),
		merchant_id: w.merchantId,
		platform_txn_no: w.platformTxnNo,
		merchant_order_no: w.merchantOrderNo,
		txn_type: w.txnType,
		status: w.status,
		amount: w.amount,
		fee_amount: fee,
		user_id: w.userId ?? null,
		card_no: w.cardNo,
		bank_name: w.bankName ?? null,
		payee_name: w.payeeName ?? null,
		memo: w.memo ?? null,
		created_at: w.createdAt,
		completed_at: final ? (w.completedAt ?? w.createdAt) : null,
		accounting_date: moves ? businessDate(w.createdAt) : null,
		channel_txn_no: w.channelTxnNo ?? null
	};
	if (moves) writePosting(book, header(row, row.platform_txn_no, 'WITHDRAWAL', w.createdAt, row.platform_txn_no), withdrawalTransfers(row));
	book.withdrawals.add(row, row.platform_txn_no);
	book.withdrawalOrderNos.add(row.merchant_order_no);
	return { withdrawalId: row.id, created: true, status: row.status };
}

export function updateWithdrawalStatus(book: BookState, input: WithdrawalStatusInput): StatusChange {
	const w = book.withdrawals.get(input.platformTxnNo);
	if (!w || input.merchantId !== book.merchantId) throw new LedgerError('ledger.orderNotFound', input.platformTxnNo);
	if (w.status === input.status) return { changed: false, status: w.status };
	if (!NEXT[w.status].includes(input.status)) throw new LedgerError('ledger.illegalTransition', `${w.status} → ${input.status}`);
	if (input.status === 'TRADE_FAILURE' || input.status === 'TRADE_CANCEL') {
		const memo = memoText(input.status === 'TRADE_CANCEL' ? 'RETURN' : 'FAILURE');
		const back = withdrawalTransfers(w).map((t) => ({ ...t, from: t.to, to: t.from, memo }));
		writePosting(book, header(w, `${w.platform_txn_no}:RETURN`, 'WITHDRAWAL_RETURN', input.at, `${w.platform_txn_no}-R`), back);
	}
	const final = input.status !== 'TRADE_PREPAID';
	Object.assign(w, {
		status: input.status,
		completed_at: final ? input.at : w.completed_at,
		channel_txn_no: input.channelTxnNo ?? w.channel_txn_no
	});
	return { changed: true, status: input.status };
}
