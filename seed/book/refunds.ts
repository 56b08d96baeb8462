// The book's postRefund / completeRefund: the rows and refusals of src/lib/server/ledger/refunds.ts.
import { LedgerError } from '#shared/server/ledger/index.ts';
import type { AccountRef, CompleteRefundInput, RefundPosting, RefundResult, StatusChange } from '#shared/server/ledger/index.ts';
import { ref } from '#shared/server/ledger/accounts.ts';
import { payerAccount } from '#shared/server/ledger/payments.ts';
import { pairRefundLegs, refundable, refundSources } from '#shared/server/ledger/refunds.ts';
import { businessDateOf as businessDate } from './dates.ts';
import { account, writePosting } from './postings.ts';
import type { BookState, PaymentRow, RefundRow } from './state.ts';

function moveRefund(book: BookState, payment: PaymentRow, refund: RefundRow, at: Date): string {
	const amount = refund.amount;
	if (amount > refundable(payment)) throw new LedgerError('ledger.refundExceeds', `${amount} > ${refundable(payment)}`);
	const sources = refundSources(payment);
	// The cash part first, so a refund never hands back more coupon than was used.
	const cash = payment.amount - payment.coupon_amount;
	const cashLeft = cash - (payment.refunded_amount < cash ? payment.refunded_amount : cash);
	const cashPart = amount < cashLeft ? amount : cashLeft;
	const targets: [AccountRef, bigint][] = [
		[payerAccount(payment), cashPart],
		[ref.merchant('MCHCOUPON', 'AVAILABLE'), amount - cashPart]
	];
	let rest = amount;
	const taken: [AccountRef, bigint][] = sources.map((s) => {
		const bal = account(book, s).balance;
		const take = rest < bal ? rest : bal > 0n ? bal : 0n;
		rest -= take;
		return [s, take];
	});
	if (rest > 0n) throw new LedgerError('ledger.insufficientFunds', `refund ${refund.platform_txn_no} short by ${rest}`);
	const accountingDate = businessDate(at);
	writePosting(
		book,
		{
			postingKey: refund.platform_txn_no,
			kind: 'REFUND',
			orderKind: 'REFUND',
			orderId: refund.id,
			orderNo: refund.platform_txn_no,
			merchantOrderNo: refund.refund_no,
			payMethod: payment.pay_method,
			at,
			accountingDate,
			flowNoPrefix: refund.platform_txn_no
		},
		pairRefundLegs(taken, targets)
	);
	payment.refunded_amount += amount;
	return accountingDate;
}

function addInFlight(book: BookState, paymentId: bigint, amount: bigint) {
	book.refundsInFlight.set(paymentId, (book.refundsInFlight.get(paymentId) ?? 0n) + amount);
}

export function postRefund(book: BookState, r: RefundPosting): RefundResult {
	if (r.amount <= 0n) throw new LedgerError('ledger.invalidPosting', `${r.platformTxnNo}: amount must be > 0`);
	const payment = book.payments.get(r.paymentPlatformTxnNo);
	if (!payment || r.merchantId !== book.merchantId) throw new LedgerError('ledger.orderNotFound', r.paymentPlatformTxnNo);
	if (book.refunds.get(r.platformTxnNo) || book.refundNos.has(r.refundNo)) throw new LedgerError('ledger.conflict', `${r.platformTxnNo} / ${r.refundNo}`);
	if (payment.status !== 'TRADE_SUCCESS') throw new LedgerError('ledger.notRefundable', `${payment.platform_txn_no} is ${payment.status}`);
	refundSources(payment);
	const inFlight = book.refundsInFlight.get(payment.id) ?? 0n;
	if (r.status !== 'TRADE_FAILURE' && r.amount > refundable(payment) - inFlight)
		throw new LedgerError('ledger.refundExceeds', `${r.amount} > ${refundable(payment) - inFlight}`);
	const processedAt = r.status !== 'TRADE_PROCESSING' ? (r.processedAt ?? r.createdAt) : null;
	const row: RefundRow = {
		id: book.refunds.nextId(),
		merchant_id: r.merchantId,
		payment_id: payment.id,
		platform_txn_no: r.platformTxnNo,
		refund_no: r.refundNo,
		amount: r.amount,
		status: r.status,
		reason: r.reason ?? null,
		created_at: r.createdAt,
		processed_at: processedAt,
		accounting_date: r.status === 'TRADE_SUCCESS' ? businessDate(processedAt!) : null,
		channel_txn_no: r.channelTxnNo ?? null
	};
	if (r.status === 'TRADE_SUCCESS') moveRefund(book, payment, row, processedAt!);
	if (r.status === 'TRADE_PROCESSING') addInFlight(book, payment.id, r.amount);
	book.refunds.add(row, row.platform_txn_no);
	book.refundNos.add(row.refund_no);
	return { refundId: row.id, created: true, status: row.status };
}

export function completeRefund(book: BookState, input: CompleteRefundInput): StatusChange {
	const refund = book.refunds.get(input.platformTxnNo);
	if (!refund || input.merchantId !== book.merchantId) throw new LedgerError('ledger.orderNotFound', input.platformTxnNo);
	const payment = book.payments.byId(refund.payment_id);
	if (refund.status === input.status) return { changed: false, status: refund.status };
	if (refund.status !== 'TRADE_PROCESSING') throw new LedgerError('ledger.illegalTransition', `${refund.status} → ${input.status}`);
	// No longer in flight while its own money moves: the cap counts it once, as refunded.
	addInFlight(book, payment.id, -refund.amount);
	let accountingDate: string | null = null;
	try {
		if (input.status === 'TRADE_SUCCESS') accountingDate = moveRefund(book, payment, refund, input.at);
	} catch (e) {
		addInFlight(book, payment.id, refund.amount);
		throw e;
	}
	Object.assign(refund, {
		status: input.status,
		processed_at: input.at,
		accounting_date: accountingDate,
		channel_txn_no: input.channelTxnNo ?? refund.channel_txn_no
	});
	return { changed: true, status: input.status };
}
