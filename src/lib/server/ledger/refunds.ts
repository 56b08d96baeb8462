import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { DB, PaymentsTable, RefundsTable } from '#db/types.ts';
import { lockAccounts, ref, refKey } from './accounts.ts';
import { bookingDate } from './close.ts';
import { LedgerError, memoText } from './errors.ts';
import { pendingRefundTotal, payerAccount, topUpTarget } from './payments.ts';
import { writePosting, type Transfer } from './post.ts';
import { inTransaction } from './tx.ts';
import type { AccountRef, CompleteRefundInput, RefundPosting, RefundResult, StatusChange } from './types.ts';

type PaymentRow = Selectable<PaymentsTable>;
type RefundRow = Selectable<RefundsTable>;

/**
 * What is left to refund. A guarantee payment's money sits in MCHASSURE until confirmed,
 * so what was confirmed is no longer refundable.
 */
export function refundable(p: Pick<PaymentRow, 'amount' | 'refunded_amount' | 'confirmed_amount' | 'txn_type'>): bigint {
	return p.amount - p.refunded_amount - (p.txn_type === 'SECURED_CONSUME' ? p.confirmed_amount : 0n);
}

/** Accounts a refund takes money back from, in order: AVAILABLE first, then PSETTLE if it is still pending. */
export function refundSources(p: PaymentRow): AccountRef[] {
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

/** Pairs what leaves (sources) with what arrives (targets) into transfers, greedily in order. */
export function pairRefundLegs(sources: [AccountRef, bigint][], targets: [AccountRef, bigint][]): Transfer[] {
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

/** Moves a refund's money back: payee (AVAILABLE, then PSETTLE) → payer; the coupon part back to MCHCOUPON. */
async function moveRefund(trx: Transaction<DB>, payment: PaymentRow, refund: RefundRow, at: Date): Promise<string> {
	const amount = refund.amount;
	if (amount > refundable(payment)) throw new LedgerError('ledger.refundExceeds', `${amount} > ${refundable(payment)}`);
	const sources = refundSources(payment);
	// The cash part is refunded first, so refunds never hand back more coupon than was used.
	const cash = payment.amount - payment.coupon_amount;
	const cashLeft = cash - (payment.refunded_amount < cash ? payment.refunded_amount : cash);
	const cashPart = amount < cashLeft ? amount : cashLeft;
	const targets: [AccountRef, bigint][] = [
		[payerAccount(payment), cashPart],
		[ref.merchant('MCHCOUPON', 'AVAILABLE'), amount - cashPart]
	];
	const locked = await lockAccounts(trx, payment.merchant_id, [...sources, ...targets.map(([r]) => r)]);
	let rest = amount;
	const taken: [AccountRef, bigint][] = sources.map((s) => {
		const bal = locked.get(refKey(s))!.balance;
		const take = rest < bal ? rest : bal > 0n ? bal : 0n;
		rest -= take;
		return [s, take];
	});
	if (rest > 0n) throw new LedgerError('ledger.insufficientFunds', `refund ${refund.platform_txn_no} short by ${rest}`);
	const accountingDate = await bookingDate(trx, payment.merchant_id, at);
	await writePosting(
		trx,
		{
			merchantId: payment.merchant_id,
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
		pairRefundLegs(taken, targets),
		locked
	);
	await trx
		.updateTable('payments')
		.set({ refunded_amount: payment.refunded_amount + amount })
		.where('id', '=', payment.id)
		.execute();
	return accountingDate;
}

async function completeIn(trx: Transaction<DB>, input: CompleteRefundInput): Promise<StatusChange> {
	const peek = await trx
		.selectFrom('refunds')
		.select('payment_id')
		.where('merchant_id', '=', input.merchantId)
		.where('platform_txn_no', '=', input.platformTxnNo)
		.executeTakeFirst();
	if (!peek) throw new LedgerError('ledger.orderNotFound', input.platformTxnNo);
	// Payment before refund, the order postRefund locks them in.
	const payment = await trx.selectFrom('payments').selectAll().where('id', '=', peek.payment_id).forUpdate().executeTakeFirstOrThrow();
	const refund = await trx
		.selectFrom('refunds')
		.selectAll()
		.where('merchant_id', '=', input.merchantId)
		.where('platform_txn_no', '=', input.platformTxnNo)
		.forUpdate()
		.executeTakeFirstOrThrow();
	if (refund.status === input.status) return { changed: false, status: refund.status };
	if (refund.status !== 'TRADE_PROCESSING')
		throw new LedgerError('ledger.illegalTransition', `${refund.status} → ${input.status}`);
	const accountingDate = input.status === 'TRADE_SUCCESS' ? await moveRefund(trx, payment, refund, input.at) : null;
	await trx
		.updateTable('refunds')
		.set({
			status: input.status,
			processed_at: input.at,
			accounting_date: accountingDate,
			channel_txn_no: input.channelTxnNo ?? refund.channel_txn_no
		})
		.where('id', '=', refund.id)
		.execute();
	return { changed: true, status: input.status };
}

/**
 * Records a refund of a successful payment. Money moves when the refund is TRADE_SUCCESS
 * (now, or later through completeRefund); a TRADE_PROCESSING refund reserves its amount
 * against the payment's cap; TRADE_FAILURE moves nothing.
 */
export async function postRefund(db: Kysely<DB>, r: RefundPosting): Promise<RefundResult> {
	if (r.amount <= 0n) throw new LedgerError('ledger.invalidPosting', `${r.platformTxnNo}: amount must be > 0`);
	return inTransaction(db, async (trx) => {
		const payment = await trx
			.selectFrom('payments')
			.selectAll()
			.where('merchant_id', '=', r.merchantId)
			.where('platform_txn_no', '=', r.paymentPlatformTxnNo)
			.forUpdate()
			.executeTakeFirst();
		if (!payment) throw new LedgerError('ledger.orderNotFound', r.paymentPlatformTxnNo);
		const final = r.status !== 'TRADE_PROCESSING';
		const processedAt = final ? (r.processedAt ?? r.createdAt) : null;
		const values: Insertable<RefundsTable> = {
			merchant_id: r.merchantId,
			payment_id: payment.id,
			platform_txn_no: r.platformTxnNo,
			refund_no: r.refundNo,
			amount: r.amount,
			status: r.status,
			reason: r.reason ?? null,
			created_at: r.createdAt,
			processed_at: processedAt,
			accounting_date: r.status === 'TRADE_SUCCESS' ? await bookingDate(trx, r.merchantId, processedAt!) : null,
			channel_txn_no: r.channelTxnNo ?? null
		};
		const pending = await pendingRefundTotal(trx, payment.id);
		const inserted = await trx
			.insertInto('refunds')
			.values(values)
			.onConflict((oc) => oc.doNothing())
			.returningAll()
			.executeTakeFirst();
		if (!inserted) {
			const existing = await trx
				.selectFrom('refunds')
				.selectAll()
				.where('merchant_id', '=', r.merchantId)
				.where('platform_txn_no', '=', r.platformTxnNo)
				.forUpdate()
				.executeTakeFirst();
			if (!existing || existing.payment_id !== payment.id || existing.refund_no !== r.refundNo || existing.amount !== r.amount)
				throw new LedgerError('ledger.conflict', `${r.platformTxnNo} / ${r.refundNo}`);
			if (existing.status === r.status || r.status === 'TRADE_PROCESSING')
				return { refundId: existing.id, created: false, status: existing.status };
			const change = await completeIn(trx, { merchantId: r.merchantId, platformTxnNo: r.platformTxnNo, at: processedAt!, status: r.status, channelTxnNo: r.channelTxnNo });
			return { refundId: existing.id, created: false, status: change.status as RefundResult['status'] };
		}
		if (payment.status !== 'TRADE_SUCCESS') throw new LedgerError('ledger.notRefundable', `${payment.platform_txn_no} is ${payment.status}`);
		refundSources(payment); // refuses payment types that cannot be refunded
		if (r.status !== 'TRADE_FAILURE' && r.amount > refundable(payment) - pending)
			throw new LedgerError('ledger.refundExceeds', `${r.amount} > ${refundable(payment) - pending}`);
		if (r.status === 'TRADE_SUCCESS') await moveRefund(trx, payment, inserted, processedAt!);
		return { refundId: inserted.id, created: true, status: inserted.status };
	});
}

/** TRADE_PROCESSING → TRADE_SUCCESS (moves the money) or TRADE_FAILURE. Replaying it is a no-op. */
export async function completeRefund(db: Kysely<DB>, input: CompleteRefundInput): Promise<StatusChange> {
	return inTransaction(db, (trx) => completeIn(trx, input));
}
