// The book's postPayment / completePayment / closePayment: the rows and refusals of
// src/lib/server/ledger/payments.ts, with the ledger's own rules for who pays whom.
import { LedgerError } from '#shared/server/ledger/index.ts';
import type { ClosePaymentInput, CompletePaymentInput, PaymentPosting, PaymentResult, StatusChange } from '#shared/server/ledger/index.ts';
import { paymentTransfers, paysFromBalance, validatePayment } from '#shared/server/ledger/payments.ts';
import { businessDateOf as businessDate } from './dates.ts';
import { writePosting } from './postings.ts';
import type { BookState, PaymentRow } from './state.ts';

function secured(book: BookState, no: string): PaymentRow {
	const original = book.payments.get(no);
	if (!original) throw new LedgerError('ledger.orderNotFound', no);
	if (original.txn_type !== 'SECURED_CONSUME' || original.status !== 'TRADE_SUCCESS') throw new LedgerError('ledger.notSecured', no);
	return original;
}

/** Moves a payment's money; a confirmation first checks what is left of its guarantee. */
function settle(book: BookState, row: PaymentRow, at: Date, original: PaymentRow | undefined): string {
	const accountingDate = businessDate(at);
	if (row.txn_type === 'SECURED_CONFIRM') {
		if (!original) throw new LedgerError('ledger.notSecured', row.platform_txn_no);
		const left = original.amount - original.confirmed_amount - original.refunded_amount - (book.refundsInFlight.get(original.id) ?? 0n);
		if (row.amount > left) throw new LedgerError('ledger.confirmExceeds', `${row.amount} > ${left}`);
	}
	writePosting(
		book,
		{
			postingKey: row.platform_txn_no,
			kind: 'PAYMENT',
			orderKind: 'PAYMENT',
			orderId: row.id,
			orderNo: row.platform_txn_no,
			merchantOrderNo: row.merchant_order_no,
			payMethod: row.pay_method,
			at,
			accountingDate,
			flowNoPrefix: row.platform_txn_no
		},
		paymentTransfers(row)
	);
	if (original) original.confirmed_amount += row.amount;
	return accountingDate;
}

type Party = { payer: [PaymentRow['payer_type'], string, string | null]; payee: [PaymentRow['payee_type'], string, string | null]; userId: bigint | null };

export function postPayment(book: BookState, p: PaymentPosting): PaymentResult {
	validatePayment(p);
	if (p.merchantId !== book.merchantId) throw new LedgerError('ledger.unknownMerchant', String(p.merchantId));
	const original = p.originalPlatformTxnNo ? secured(book, p.originalPlatformTxnNo) : undefined;
	let payeeUserId = p.payeeUserId ?? null;
	if (p.txnType === 'INNER_FUND_EXCHANGE') payeeUserId ??= p.userId ?? null;
	if (original && payeeUserId === null && original.payee_type === 'USER') {
		const found = [...book.users].find(([, u]) => u.userNo === original.payee_id);
		if (!found) throw new LedgerError('ledger.unknownUser', original.payee_id);
		payeeUserId = found[0];
	}
	for (const id of [p.userId, payeeUserId]) if (id != null && !book.users.has(id)) throw new LedgerError('ledger.unknownUser', String(id));
	const user = p.userId != null ? { id: p.userId, ...book.users.get(p.userId)! } : undefined;
	const payeeUser = payeeUserId != null ? { id: payeeUserId, ...book.users.get(payeeUserId)! } : undefined;
	const merchantNo = book.merchantNo;
	const channel = p.payMethod ?? 'CHANNEL';
	const party = ((): Party => {
		switch (p.txnType) {
			case 'USER_TOPUP':
				return { payer: ['CHANNEL', channel, null], payee: ['USER', user!.userNo, 'USEROWN'], userId: user!.id };
			case 'MCH_TOPUP':
				return { payer: ['CHANNEL', channel, null], payee: ['MERCHANT', merchantNo, p.payeeAccountType ?? 'MCHOWN'], userId: p.userId ?? null };
			case 'GENERAL_CONSUME':
			case 'SECURED_CONSUME': {
				const account = p.txnType === 'SECURED_CONSUME' ? 'MCHASSURE' : 'MCHOWN';
				return {
					payer: user ? ['USER', user.userNo, paysFromBalance(p) ? 'USEROWN' : null] : ['CHANNEL', channel, null],
					payee: payeeUser ? ['USER', payeeUser.userNo, account] : ['MERCHANT', merchantNo, account],
					userId: p.userId ?? null
				};
			}
			case 'SECURED_CONFIRM':
				return {
					payer: ['MERCHANT', merchantNo, 'MCHASSURE'],
					payee: payeeUser ? ['USER', payeeUser.userNo, 'USEROWN'] : ['MERCHANT', merchantNo, 'MCHOWN'],
					userId: payeeUser ? payeeUser.id : original!.user_id
				};
			case 'INNER_FUND_EXCHANGE':
				return { payer: ['MERCHANT', merchantNo, 'MCHOWN'], payee: ['USER', payeeUser!.userNo, 'USEROWN'], userId: payeeUser!.id };
			default:
				throw new LedgerError('ledger.invalidPosting', p.txnType);
		}
	})();
	if (book.payments.get(p.platformTxnNo) || book.paymentOrderNos.has(p.merchantOrderNo))
		throw new LedgerError('ledger.conflict', `${p.platformTxnNo} / ${p.merchantOrderNo}`);

	const success = p.status === 'TRADE_SUCCESS';
	const completedAt = success ? (p.completedAt ?? p.createdAt) : null;
	const accountingDate = completedAt ? businessDate(completedAt) : null;
	const row: PaymentRow = {
		id: book.payments.nextId(),
		merchant_id: p.merchantId,
		platform_txn_no: p.platformTxnNo,
		merchant_order_no: p.merchantOrderNo,
		txn_type: p.txnType,
		status: p.status,
		amount: p.amount,
		coupon_amount: p.couponAmount ?? 0n,
		fee_amount: p.feeAmount ?? 0n,
		refunded_amount: 0n,
		confirmed_amount: 0n,
		pay_method: p.payMethod ?? null,
		pay_product: p.payProduct ?? null,
		user_id: party.userId,
		payer_type: party.payer[0],
		payer_id: party.payer[1],
		payer_account_type: party.payer[2],
		payee_type: party.payee[0],
		payee_id: party.payee[1],
		payee_account_type: party.payee[2],
		payee_bank_account: null,
		payee_name: party.payee[0] === 'USER' ? ((payeeUser ?? user)?.name ?? null) : null,
		original_payment_id: original?.id ?? null,
		order_info: p.orderInfo ?? null,
		memo: p.memo ?? null,
		merchant_order_time: p.merchantOrderTime ?? p.createdAt,
		created_at: p.createdAt,
		completed_at: completedAt,
		accounting_date: accountingDate,
		channel_txn_no: p.channelTxnNo ?? null,
		channel_date: p.channelTxnNo && accountingDate ? accountingDate : null
	};
	if (success) settle(book, row, completedAt!, original);
	book.payments.add(row, row.platform_txn_no);
	book.paymentOrderNos.add(row.merchant_order_no);
	return { paymentId: row.id, created: true, status: row.status };
}

export function completePayment(book: BookState, input: CompletePaymentInput): StatusChange {
	const row = book.payments.get(input.platformTxnNo);
	if (!row || input.merchantId !== book.merchantId) throw new LedgerError('ledger.orderNotFound', input.platformTxnNo);
	const original = row.original_payment_id ? book.payments.byId(row.original_payment_id) : undefined;
	if (row.status === 'TRADE_SUCCESS') return { changed: false, status: row.status };
	if (row.status !== 'TRADE_WAIT_PAY') throw new LedgerError('ledger.illegalTransition', `${row.status} → TRADE_SUCCESS`);
	if (original && (original.txn_type !== 'SECURED_CONSUME' || original.status !== 'TRADE_SUCCESS'))
		throw new LedgerError('ledger.notSecured', original.platform_txn_no);
	const accountingDate = settle(book, row, input.at, original);
	const channelTxnNo = input.channelTxnNo ?? row.channel_txn_no;
	Object.assign(row, {
		status: 'TRADE_SUCCESS',
		completed_at: input.at,
		accounting_date: accountingDate,
		channel_txn_no: channelTxnNo,
		channel_date: channelTxnNo ? accountingDate : null
	});
	return { changed: true, status: 'TRADE_SUCCESS' };
}

export function closePayment(book: BookState, input: ClosePaymentInput): StatusChange {
	const row = book.payments.get(input.platformTxnNo);
	if (!row || input.merchantId !== book.merchantId) throw new LedgerError('ledger.orderNotFound', input.platformTxnNo);
	if (row.status === input.status) return { changed: false, status: row.status };
	if (row.status !== 'TRADE_WAIT_PAY') throw new LedgerError('ledger.illegalTransition', `${row.status} → ${input.status}`);
	row.status = input.status;
	return { changed: true, status: input.status };
}
