// Bodies of the signed ingest API (POST /api/ingest/v1/<kind>), as the payment core sends
// them: snake_case, amounts in integer fen as a string or a JSON integer, never a float (the
// handler also reads the raw body, where `100.00` and `1e2` are still visible: see
// src/lib/server/ingest/numbers.ts).
// Relative imports only: the simulator runs under plain tsx.
import { z } from 'zod';

const MAX_FEN = 10n ** 15n;

/** Integer fen: "1242" or 1242. "12.42", 12.42, "1e3", -1 are refused, so a float never becomes money. */
function fen(min: bigint) {
	return z
		.union([z.string(), z.number()], { error: 'ingest.amountNotInteger' })
		.transform((v, ctx) => {
			const ok = typeof v === 'string' ? /^-?\d{1,16}$/.test(v) : Number.isSafeInteger(v);
			if (!ok) {
				ctx.addIssue({ code: 'custom', message: 'ingest.amountNotInteger' });
				return z.NEVER;
			}
			const n = BigInt(v);
			if (n < min || n > MAX_FEN) {
				ctx.addIssue({ code: 'custom', message: min > 0n ? 'ingest.amountNotPositive' : 'ingest.amountNegative' });
				return z.NEVER;
			}
			return n;
		});
}
export const positiveFen = fen(1n);
export const nonNegativeFen = fen(0n);

/**
 * Free text: no C0 controls but tab and line breaks, no U+FFFE/U+FFFF, no lone surrogates.
 * Postgres refuses a NUL, and the others make the XLSX statements and exports unreadable.
 */
const ILLEGAL_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
export function isCleanText(s: string): boolean {
	return !ILLEGAL_TEXT.test(s) && s.isWellFormed();
}
const cleanString = () => z.string().refine(isCleanText, 'ingest.badText');

const merchantNo = z.string().regex(/^[0-9]{16}$/, 'ingest.badMerchantNo');
const txnNo = z.string().regex(/^[0-9A-Za-z_-]{6,64}$/, 'ingest.badTxnNo');
const orderNo = cleanString().min(1).max(64);
const userNo = cleanString().min(1).max(64);
const phone = z.string().regex(/^1[0-9]{10}$/, 'ingest.badPhone');
const cardNo = z.string().regex(/^[0-9]{12,19}$/, 'ingest.badCardNo');
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const text = (max: number) => cleanString().max(max).nullish();

/**
 * 开户: the platform opens a merchant — the merchant, its four accounts and its admin, whose
 * initial password goes out by SMS. Idempotent on merchant_no.
 */
export const ingestMerchant = z.object({
	merchant_no: merchantNo,
	name: cleanString().trim().min(1).max(100),
	admin_name: cleanString().trim().min(1).max(50),
	admin_phone: phone
});

export const ingestUser = z
	.object({
		merchant_no: merchantNo,
		user_no: userNo,
		user_type: z.enum(['INNERUSER', 'INNERCOMPANY']),
		status: z.enum(['NORMAL', 'ACTIVATE_PENDING', 'CHECK_PENDING', 'PAUSE', 'CANCEL']).default('NORMAL'),
		name: cleanString().min(1).max(100),
		phone,
		id_type: z.enum(['ID_CARD', 'UNIFIED_CODE']),
		id_no: z.string().regex(/^[0-9A-Z]{15,18}$/, 'ingest.badIdNo'),
		id_expiry: z.iso.date().nullish(),
		occupation: text(50),
		registered_at: instant.optional()
	})
	.refine((u) => (u.user_type === 'INNERUSER') === (u.id_type === 'ID_CARD'), { message: 'ingest.idTypeMismatch', path: ['id_type'] });

export const ingestCard = z.object({
	merchant_no: merchantNo,
	user_no: userNo,
	card_no: cardNo,
	card_type: z.enum(['DEBIT', 'CREDIT']),
	bank_name: cleanString().min(1).max(50),
	reserved_phone: phone,
	bound_at: instant.optional()
});

export const ingestPayment = z
	.object({
		merchant_no: merchantNo,
		platform_txn_no: txnNo,
		merchant_order_no: orderNo,
		txn_type: z.enum(['USER_TOPUP', 'MCH_TOPUP', 'GENERAL_CONSUME', 'SECURED_CONSUME', 'SECURED_CONFIRM', 'INNER_FUND_EXCHANGE']),
		status: z.enum(['TRADE_WAIT_PAY', 'TRADE_SUCCESS']),
		amount: positiveFen,
		coupon_amount: nonNegativeFen.optional(),
		fee_amount: nonNegativeFen.optional(),
		pay_method: cleanString().max(40).nullish(),
		pay_product: cleanString().max(40).nullish(),
		user_no: userNo.nullish(),
		payee_user_no: userNo.nullish(),
		original_platform_txn_no: txnNo.nullish(),
		order_info: text(200),
		memo: text(200),
		merchant_order_time: instant.optional(),
		created_at: instant.optional(),
		channel_txn_no: text(64)
	})
	.refine((p) => (p.coupon_amount ?? 0n) <= p.amount, { message: 'ingest.couponExceeds', path: ['coupon_amount'] })
	.refine((p) => (p.txn_type === 'SECURED_CONFIRM') === !!p.original_platform_txn_no, {
		message: 'ingest.originalRequired',
		path: ['original_platform_txn_no']
	});

export const ingestPaymentStatus = z.object({
	merchant_no: merchantNo,
	platform_txn_no: txnNo,
	status: z.enum(['TRADE_SUCCESS', 'TRADE_CLOSE', 'TRADE_CANCEL']),
	at: instant.optional(),
	channel_txn_no: text(64)
});

export const ingestRefund = z.object({
	merchant_no: merchantNo,
	platform_txn_no: txnNo,
	refund_no: orderNo,
	original_platform_txn_no: txnNo,
	amount: positiveFen,
	status: z.enum(['TRADE_PROCESSING', 'TRADE_SUCCESS', 'TRADE_FAILURE']).default('TRADE_PROCESSING'),
	reason: text(200),
	created_at: instant.optional(),
	channel_txn_no: text(64)
});

export const ingestRefundStatus = z.object({
	merchant_no: merchantNo,
	platform_txn_no: txnNo,
	status: z.enum(['TRADE_SUCCESS', 'TRADE_FAILURE']),
	at: instant.optional(),
	channel_txn_no: text(64)
});

const withdrawalStatus = z.enum(['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL']);

export const ingestWithdrawal = z.object({
	merchant_no: merchantNo,
	platform_txn_no: txnNo,
	merchant_order_no: orderNo,
	txn_type: z.enum(['ACCT_CASH_OUT', 'OUTER_FUND_EXCHANGE']),
	status: withdrawalStatus.default('TRADE_CHECKING'),
	amount: positiveFen,
	fee_amount: nonNegativeFen.optional(),
	/** Absent: the merchant's own funds. */
	user_no: userNo.nullish(),
	card_no: cardNo,
	bank_name: text(50),
	payee_name: text(100),
	memo: text(200),
	created_at: instant.optional(),
	channel_txn_no: text(64)
});

export const ingestWithdrawalStatus = z.object({
	merchant_no: merchantNo,
	platform_txn_no: txnNo,
	status: withdrawalStatus,
	at: instant.optional(),
	channel_txn_no: text(64)
});

export const ingestSettlement = z.object({
	merchant_no: merchantNo,
	accounting_date: z.iso.date(),
	at: instant.optional()
});

export const INGEST_SCHEMAS = {
	merchants: ingestMerchant,
	users: ingestUser,
	cards: ingestCard,
	payments: ingestPayment,
	'payment-status': ingestPaymentStatus,
	refunds: ingestRefund,
	'refund-status': ingestRefundStatus,
	withdrawals: ingestWithdrawal,
	'withdrawal-status': ingestWithdrawalStatus,
	settlements: ingestSettlement
} as const;

export type IngestKind = keyof typeof INGEST_SCHEMAS;
export const INGEST_KINDS = Object.keys(INGEST_SCHEMAS) as IngestKind[];

export function isIngestKind(k: string): k is IngestKind {
	return Object.prototype.hasOwnProperty.call(INGEST_SCHEMAS, k);
}

export type IngestInput<K extends IngestKind> = z.output<(typeof INGEST_SCHEMAS)[K]>;
