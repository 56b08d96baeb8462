import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { DB, PaymentsTable } from '#db/types.ts';
import { ref } from './accounts.ts';
import { bookingDate } from './close.ts';
import { LedgerError, memoText } from './errors.ts';
import { writePosting, type Transfer } from './post.ts';
import { inTransaction } from './tx.ts';
import type {
	AccountRef,
	ClosePaymentInput,
	CompletePaymentInput,
	PaymentPosting,
	PaymentResult,
	StatusChange
} from './types.ts';

type PaymentRow = Selectable<PaymentsTable>;

const POSTABLE = new Set(['USER_TOPUP', 'MCH_TOPUP', 'GENERAL_CONSUME', 'SECURED_CONSUME', 'SECURED_CONFIRM', 'INNER_FUND_EXCHANGE']);
const CONSUMPTION = new Set(['GENERAL_CONSUME', 'SECURED_CONSUME']);
/** Pay methods that spend the user's platform balance; every other method is an outside channel. */
const BALANCE_METHODS = new Set(['BALANCE', 'COUPON']);

export function paysFromBalance(p: PaymentPosting): boolean {
	return p.payMethod ? BALANCE_METHODS.has(p.payMethod) : p.userId != null;
}

export function validatePayment(p: PaymentPosting): void {
	const coupon = p.couponAmount ?? 0n;
	const fee = p.feeAmount ?? 0n;
	const bad = (why: string) => {
		throw new LedgerError('ledger.invalidPosting', `${p.platformTxnNo}: ${why}`);
	};
	if (!POSTABLE.has(p.txnType)) bad(`txn type ${p.txnType}`);
	if (p.amount <= 0n) bad('amount must be > 0');
	if (coupon < 0n || coupon > p.amount) bad('coupon out of range');
	if (coupon > 0n && !CONSUMPTION.has(p.txnType)) bad('coupon only on consumption');
	if (fee < 0n) bad('negative fee');
	if ((p.txnType === 'SECURED_CONFIRM') !== Boolean(p.originalPlatformTxnNo)) bad('original payment');
	if (p.txnType === 'USER_TOPUP' && p.userId == null) bad('top-up needs a user');
	if (p.payeeAccountType && (p.txnType !== 'MCH_TOPUP' || !TOPUP_TARGETS.has(p.payeeAccountType))) bad('payee account');
	if (p.txnType === 'INNER_FUND_EXCHANGE' && (p.payeeUserId ?? p.userId) == null) bad('payout needs a user');
	if (CONSUMPTION.has(p.txnType) && paysFromBalance(p) && p.userId == null) bad('balance payment needs a user');
}

/** The account a successful payment debits (coupon and fee legs aside). */
function payerAccount(row: PaymentRow): AccountRef {
	switch (row.payer_account_type) {
		case 'USEROWN':
			return ref.user(row.user_id!, 'AVAILABLE');
		case 'MCHOWN':
			return ref.merchant('MCHOWN', 'AVAILABLE');
		case 'MCHASSURE':
			return ref.merchant('MCHASSURE', 'AVAILABLE');
		default:
			return ref.clearing();
	}
}

const TOPUP_TARGETS = new Set(['MCHOWN', 'MCHCOUPON', 'MCHFEE']);
export function topUpTarget(row: PaymentRow): 'MCHOWN' | 'MCHCOUPON' | 'MCHFEE' {
	const t = row.payee_account_type ?? 'MCHOWN';
	return TOPUP_TARGETS.has(t) ? (t as 'MCHOWN' | 'MCHCOUPON' | 'MCHFEE') : 'MCHOWN';
}

/** The account a successful payment credits. */
export function payeeAccount(row: PaymentRow): AccountRef {
	switch (row.txn_type) {
		case 'USER_TOPUP':
		case 'INNER_FUND_EXCHANGE':
			return ref.user(row.user_id!, 'PSETTLE');
		case 'SECURED_CONSUME':
			return ref.merchant('MCHASSURE', 'AVAILABLE');
		case 'SECURED_CONFIRM':
			return row.payee_type === 'USER' ? ref.user(row.user_id!, 'PSETTLE') : ref.merchant('MCHOWN', 'PSETTLE');
		case 'MCH_TOPUP':
			return ref.merchant(topUpTarget(row), 'PSETTLE');
		default:
			return ref.merchant('MCHOWN', 'PSETTLE');
	}
}

/** Also used by refunds: where the payment's cash part came from. */
export { payerAccount };

export function paymentTransfers(row: PaymentRow): Transfer[] {
	const payee = payeeAccount(row);
	return [
		{ from: payerAccount(row), to: payee, amount: row.amount - row.coupon_amount, txnType: row.txn_type, memo: memoText(row.txn_type) },
		{ from: ref.merchant('MCHCOUPON', 'AVAILABLE'), to: payee, amount: row.coupon_amount, txnType: row.txn_type, memo: memoText('COUPON') },
		{ from: ref.merchant('MCHFEE', 'AVAILABLE'), to: ref.clearing(), amount: row.fee_amount, txnType: 'SERVICE_FEE', memo: memoText('SERVICE_FEE') }
	];
}

export async function pendingRefundTotal(trx: Transaction<DB>, paymentId: bigint): Promise<bigint> {
	const r = await trx
		.selectFrom('refunds')
		.select((eb) => eb.fn.coalesce(eb.fn.sum<bigint>('amount'), eb.val(0n)).as('total'))
		.where('payment_id', '=', paymentId)
		.where('status', '=', 'TRADE_PROCESSING')
		.executeTakeFirstOrThrow();
	return BigInt(r.total);
}

function lockPayment(trx: Transaction<DB>, merchantId: bigint, platformTxnNo: string) {
	return trx
		.selectFrom('payments')
		.selectAll()
		.where('merchant_id', '=', merchantId)
		.where('platform_txn_no', '=', platformTxnNo)
		.forUpdate()
		.executeTakeFirst();
}

/** Moves a payment's money (status becomes TRADE_SUCCESS). `original` is the locked secured payment of a confirm. */
async function settlePayment(trx: Transaction<DB>, row: PaymentRow, at: Date, original: PaymentRow | undefined) {
	const accountingDate = await bookingDate(trx, row.merchant_id, at);
	if (row.txn_type === 'SECURED_CONFIRM') {
		if (!original) throw new LedgerError('ledger.notSecured', row.platform_txn_no);
		const left = original.amount - original.confirmed_amount - original.refunded_amount - (await pendingRefundTotal(trx, original.id));
		if (row.amount > left) throw new LedgerError('ledger.confirmExceeds', `${row.amount} > ${left}`);
		await trx
			.updateTable('payments')
			.set({ confirmed_amount: original.confirmed_amount + row.amount })
			.where('id', '=', original.id)
			.execute();
	}
	await writePosting(
		trx,
		{
			merchantId: row.merchant_id,
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
	return accountingDate;
}

async function lockOriginal(trx: Transaction<DB>, merchantId: bigint, originalNo: string): Promise<PaymentRow> {
	const original = await lockPayment(trx, merchantId, originalNo);
	if (!original) throw new LedgerError('ledger.orderNotFound', originalNo);
	if (original.txn_type !== 'SECURED_CONSUME' || original.status !== 'TRADE_SUCCESS')
		throw new LedgerError('ledger.notSecured', originalNo);
	return original;
}

async function completeIn(
	trx: Transaction<DB>,
	merchantId: bigint,
	platformTxnNo: string,
	at: Date,
	channelTxnNo?: string | null
): Promise<StatusChange> {
	const peek = await trx
		.selectFrom('payments')
		.select(['original_payment_id'])
		.where('merchant_id', '=', merchantId)
		.where('platform_txn_no', '=', platformTxnNo)
		.executeTakeFirst();
	if (!peek) throw new LedgerError('ledger.orderNotFound', platformTxnNo);
	// The original secured payment is locked before the confirm, as postPayment does.
	const original = peek.original_payment_id
		? await trx.selectFrom('payments').selectAll().where('id', '=', peek.original_payment_id).forUpdate().executeTakeFirstOrThrow()
		: undefined;
	const row = (await lockPayment(trx, merchantId, platformTxnNo))!;
	if (row.status === 'TRADE_SUCCESS') return { changed: false, status: row.status };
	if (row.status !== 'TRADE_WAIT_PAY') throw new LedgerError('ledger.illegalTransition', `${row.status} → TRADE_SUCCESS`);
	if (original && (original.txn_type !== 'SECURED_CONSUME' || original.status !== 'TRADE_SUCCESS'))
		throw new LedgerError('ledger.notSecured', original.platform_txn_no);
	const accountingDate = await settlePayment(trx, row, at, original);
	await trx
		.updateTable('payments')
		.set({
			status: 'TRADE_SUCCESS',
			completed_at: at,
			accounting_date: accountingDate,
			channel_txn_no: channelTxnNo ?? row.channel_txn_no,
			channel_date: (channelTxnNo ?? row.channel_txn_no) ? accountingDate : null
		})
		.where('id', '=', row.id)
		.execute();
	return { changed: true, status: 'TRADE_SUCCESS' };
}

async function closeIn(trx: Transaction<DB>, input: ClosePaymentInput): Promise<StatusChange> {
	const row = await lockPayment(trx, input.merchantId, input.platformTxnNo);
	if (!row) throw new LedgerError('ledger.orderNotFound', input.platformTxnNo);
	if (row.status === input.status) return { changed: false, status: row.status };
	if (row.status !== 'TRADE_WAIT_PAY') throw new LedgerError('ledger.illegalTransition', `${row.status} → ${input.status}`);
	await trx.updateTable('payments').set({ status: input.status }).where('id', '=', row.id).execute();
	return { changed: true, status: input.status };
}

/** Fields that identify a payment: a replay must match them. */
function samePayment(a: Insertable<PaymentsTable>, b: PaymentRow): boolean {
	return (
		a.merchant_id === b.merchant_id &&
		a.merchant_order_no === b.merchant_order_no &&
		a.txn_type === b.txn_type &&
		a.amount === b.amount &&
		(a.coupon_amount ?? 0n) === b.coupon_amount &&
		(a.fee_amount ?? 0n) === b.fee_amount &&
		(a.user_id ?? null) === b.user_id &&
		(a.original_payment_id ?? null) === b.original_payment_id &&
		(a.payee_account_type ?? null) === b.payee_account_type
	);
}

/**
 * Records a payment order and, for TRADE_SUCCESS, moves its money. Replaying a number
 * returns created: false; replaying it with a later status (WAIT_PAY → SUCCESS/CLOSE/CANCEL)
 * applies that change, as a payment notification would.
 */
export async function postPayment(db: Kysely<DB>, p: PaymentPosting): Promise<PaymentResult> {
	validatePayment(p);
	return inTransaction(db, async (trx) => {
		const merchant = await trx.selectFrom('merchants').select(['merchant_no']).where('id', '=', p.merchantId).executeTakeFirst();
		if (!merchant) throw new LedgerError('ledger.unknownMerchant', String(p.merchantId));
		const original = p.originalPlatformTxnNo ? await lockOriginal(trx, p.merchantId, p.originalPlatformTxnNo) : undefined;

		// Who receives a confirmed guarantee: the named user, else the original's payee.
		let payeeUserId = p.payeeUserId ?? null;
		if (p.txnType === 'INNER_FUND_EXCHANGE') payeeUserId ??= p.userId ?? null;
		if (original && payeeUserId === null && original.payee_type === 'USER') {
			const u = await trx
				.selectFrom('users')
				.select('id')
				.where('merchant_id', '=', p.merchantId)
				.where('user_no', '=', original.payee_id)
				.executeTakeFirst();
			if (!u) throw new LedgerError('ledger.unknownUser', original.payee_id);
			payeeUserId = u.id;
		}
		const userIds = [p.userId, payeeUserId].filter((x): x is bigint => x != null);
		const users = new Map(
			userIds.length === 0
				? []
				: (
						await trx
							.selectFrom('users')
							.select(['id', 'user_no', 'name'])
							.where('merchant_id', '=', p.merchantId)
							.where('id', 'in', userIds)
							.execute()
					).map((u) => [u.id, u])
		);
		for (const id of userIds) if (!users.has(id)) throw new LedgerError('ledger.unknownUser', String(id));
		const user = p.userId != null ? users.get(p.userId)! : undefined;
		const payeeUser = payeeUserId != null ? users.get(payeeUserId)! : undefined;
		const merchantNo = merchant.merchant_no;
		const channel = p.payMethod ?? 'CHANNEL';

		const party = (() => {
			switch (p.txnType) {
				case 'USER_TOPUP':
					return { payer: ['CHANNEL', channel, null], payee: ['USER', user!.user_no, 'USEROWN'], userId: user!.id };
				case 'MCH_TOPUP':
					return { payer: ['CHANNEL', channel, null], payee: ['MERCHANT', merchantNo, p.payeeAccountType ?? 'MCHOWN'], userId: p.userId ?? null };
				case 'GENERAL_CONSUME':
				case 'SECURED_CONSUME': {
					const payer = user
						? ['USER', user.user_no, paysFromBalance(p) ? 'USEROWN' : null]
						: ['CHANNEL', channel, null];
					const account = p.txnType === 'SECURED_CONSUME' ? 'MCHASSURE' : 'MCHOWN';
					const payee = payeeUser ? ['USER', payeeUser.user_no, account] : ['MERCHANT', merchantNo, account];
					return { payer, payee, userId: p.userId ?? null };
				}
				case 'SECURED_CONFIRM':
					return {
						payer: ['MERCHANT', merchantNo, 'MCHASSURE'],
						payee: payeeUser ? ['USER', payeeUser.user_no, 'USEROWN'] : ['MERCHANT', merchantNo, 'MCHOWN'],
						userId: payeeUser ? payeeUser.id : original!.user_id
					};
				case 'INNER_FUND_EXCHANGE':
					return { payer: ['MERCHANT', merchantNo, 'MCHOWN'], payee: ['USER', payeeUser!.user_no, 'USEROWN'], userId: payeeUser!.id };
				default:
					throw new LedgerError('ledger.invalidPosting', p.txnType);
			}
		})() as { payer: [PaymentRow['payer_type'], string, string | null]; payee: [PaymentRow['payee_type'], string, string | null]; userId: bigint | null };

		const success = p.status === 'TRADE_SUCCESS';
		const completedAt = success ? (p.completedAt ?? p.createdAt) : null;
		const accountingDate = completedAt ? await bookingDate(trx, p.merchantId, completedAt) : null;
		const values: Insertable<PaymentsTable> = {
			merchant_id: p.merchantId,
			platform_txn_no: p.platformTxnNo,
			merchant_order_no: p.merchantOrderNo,
			txn_type: p.txnType,
			status: p.status,
			amount: p.amount,
			coupon_amount: p.couponAmount ?? 0n,
			fee_amount: p.feeAmount ?? 0n,
			pay_method: p.payMethod ?? null,
			pay_product: p.payProduct ?? null,
			user_id: party.userId,
			payer_type: party.payer[0],
			payer_id: party.payer[1],
			payer_account_type: party.payer[2],
			payee_type: party.payee[0],
			payee_id: party.payee[1],
			payee_account_type: party.payee[2],
			payee_name: party.payee[0] === 'USER' ? (payeeUser ?? user)?.name ?? null : null,
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
		const inserted = await trx
			.insertInto('payments')
			.values(values)
			.onConflict((oc) => oc.doNothing())
			.returningAll()
			.executeTakeFirst();

		if (!inserted) {
			const existing = await lockPayment(trx, p.merchantId, p.platformTxnNo);
			if (!existing || !samePayment(values, existing))
				throw new LedgerError('ledger.conflict', `${p.platformTxnNo} / ${p.merchantOrderNo}`);
			// WAIT_PAY is where every payment starts: a late or repeated one changes nothing.
			if (existing.status === p.status || p.status === 'TRADE_WAIT_PAY')
				return { paymentId: existing.id, created: false, status: existing.status };
			if (existing.status === 'TRADE_WAIT_PAY' && p.status === 'TRADE_SUCCESS') {
				await completeIn(trx, p.merchantId, p.platformTxnNo, completedAt!, p.channelTxnNo);
				return { paymentId: existing.id, created: false, status: 'TRADE_SUCCESS' };
			}
			if (existing.status === 'TRADE_WAIT_PAY' && (p.status === 'TRADE_CLOSE' || p.status === 'TRADE_CANCEL')) {
				await closeIn(trx, { merchantId: p.merchantId, platformTxnNo: p.platformTxnNo, at: p.createdAt, status: p.status });
				return { paymentId: existing.id, created: false, status: p.status };
			}
			throw new LedgerError('ledger.illegalTransition', `${existing.status} → ${p.status}`);
		}
		if (success) await settlePayment(trx, inserted, completedAt!, original);
		return { paymentId: inserted.id, created: true, status: inserted.status };
	});
}

/** TRADE_WAIT_PAY → TRADE_SUCCESS: moves the money. Replaying it is a no-op. */
export async function completePayment(db: Kysely<DB>, input: CompletePaymentInput): Promise<StatusChange> {
	return inTransaction(db, (trx) => completeIn(trx, input.merchantId, input.platformTxnNo, input.at, input.channelTxnNo));
}

/** TRADE_WAIT_PAY → TRADE_CLOSE / TRADE_CANCEL: no money moves. */
export async function closePayment(db: Kysely<DB>, input: ClosePaymentInput): Promise<StatusChange> {
	return inTransaction(db, (trx) => closeIn(trx, input));
}
