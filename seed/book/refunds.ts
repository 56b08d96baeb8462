// The book's postRefund / completeRefund: the rows and refusals of src/lib/server/ledger/refunds.ts.
import { LedgerError } from '#shared/server/ledger/index.ts';
import type { AccountRef, CompleteRefundInput, RefundPosting, RefundResult, StatusChange } from '#shared/server/ledger/index.ts';
import { ref } from '#shared/server/ledger/accounts.ts';
import { memoText } from '#shared/server/ledger/errors.ts';
import { payerAccount, topUpTarget } from '#shared/server/ledger/payments.ts';
import { businessDateOf as businessDate } from './dates.ts';
import { account, writePosting, type Transfer } from './postings.ts';
import type { BookState, PaymentRow, RefundRow } from './state.ts';

/** What is left to refund: a guarantee's confirmed part has left MCHASSURE. */
function refundable(p: PaymentRow): bigint {
	return p.amount - p.refunded_amount - (p.txn_type === 'SECURED_CONSUME' ? p.confirmed_amount : 0n);
}

/** Where the money comes back from, in order: AVAILABLE first, then PSETTLE while still pending. */
function refundSources(p: PaymentRow): AccountRef[] {
	switch (p.txn_type) {
		case 'GENERAL_CONSUME':
			return [ref.merchant('MCHOWN', 'AVAILABLE'), ref.merchant('MCHOWN', 'PSETTLE')];
		case 'MCH_TOPUP':
			return [ref.merchant(topUpTarget(p), 'AVAILABLE'), ref.merchant(topUpTarget(p), 'PSETTLE')];
		case 'USER_TOPUP':
		case 'INNER_FUND_EXCHANGE':
			return [ref.user(p.user_id!, 'AVAILABLE'), ref.user(p.user_id!, 'PSETTLE')];
		case 'SECURED_CONSUME':
			return [ref.merchant('MCHASSURE', 'AVAILABLE')];
		default:
			throw new LedgerError('ledger.notRefundable', p.platform_txn_no);
	}
}

/** Pairs what leaves with what arrives into transfers, greedily in order. */
function pair(sources: [AccountRef, bigint][], targets: [AccountRef, bigint][]): Transfer[] {
	const out: Transfer[] = [];
	const src = sources.filter(([, a]) => a > 0n).map(([r, a]) => ({ r, a }));
	const dst = targets.filter(([, a]) => a > 0n).map(([r, a]) => ({ r, a }));
	let i = 0;
	let j = 0;
	while (i < src.length && j < dst.length) {
		const amount = src[i].a < dst[j].a ? src[i].a : dst[j].a;
		out.push({ from: src[i].r, to: dst[j].r, amount, txnType: 'REFUND', memo: memoText('REFUND') });
		src[i].a -= amount;
		dst[j].a -= amount;
		if (src[i].a === 0n) i++;
		if (dst[j].a === 0n) j++;
	}
	return out;
}

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
		pair(taken, targets)
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
