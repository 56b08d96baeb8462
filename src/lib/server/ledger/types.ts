// Public input and output types of the ledger. Amounts are integer fen (bigint); times are
// instants (Date); accounting dates are derived from them in Asia/Shanghai.
import type {
	AccountType,
	PaymentStatus,
	PaymentTxnType,
	RefundStatus,
	SubType,
	WithdrawalStatus,
	WithdrawalTxnType
} from '#db/types.ts';

export type {
	AccountType,
	PaymentStatus,
	PaymentTxnType,
	RefundStatus,
	SubType,
	WithdrawalStatus,
	WithdrawalTxnType
} from '#db/types.ts';

/** Payment types that postPayment accepts (OUTER_FUND_EXCHANGE is a withdrawal). */
export type PostablePaymentTxnType = Exclude<PaymentTxnType, 'OUTER_FUND_EXCHANGE'>;

export interface PaymentPosting {
	merchantId: bigint;
	platformTxnNo: string;
	merchantOrderNo: string;
	txnType: PostablePaymentTxnType;
	status: PaymentStatus;
	amount: bigint;
	/** Part of `amount` paid from the merchant's coupon account (consumption only). */
	couponAmount?: bigint;
	/** Platform fee, taken from the merchant's fee account in the same posting. */
	feeAmount?: bigint;
	/** BALANCE / COUPON (or absent with a user) = the user's balance; anything else = an outside channel. */
	payMethod?: string | null;
	payProduct?: string | null;
	/** The end user involved: payer for consumption, payee for top-up and payouts. */
	userId?: bigint | null;
	/** The user who receives the money: SECURED_CONSUME/CONFIRM to a user, INNER_FUND_EXCHANGE. */
	payeeUserId?: bigint | null;
	/** MCH_TOPUP: which merchant account is topped up (default MCHOWN); this is how the coupon and fee accounts are funded. */
	payeeAccountType?: 'MCHOWN' | 'MCHCOUPON' | 'MCHFEE';
	/** SECURED_CONFIRM: the secured payment being confirmed. */
	originalPlatformTxnNo?: string | null;
	orderInfo?: string | null;
	memo?: string | null;
	merchantOrderTime?: Date;
	createdAt: Date;
	/** When the payment succeeded; defaults to createdAt for status TRADE_SUCCESS. */
	completedAt?: Date;
	channelTxnNo?: string | null;
}

export interface PaymentResult {
	paymentId: bigint;
	/** false: the number existed already (a replay, or a status change applied to it). */
	created: boolean;
	status: PaymentStatus;
}

export interface CompletePaymentInput {
	merchantId: bigint;
	platformTxnNo: string;
	at: Date;
	channelTxnNo?: string | null;
}

export interface ClosePaymentInput {
	merchantId: bigint;
	platformTxnNo: string;
	at: Date;
	status: 'TRADE_CLOSE' | 'TRADE_CANCEL';
}

export interface RefundPosting {
	merchantId: bigint;
	platformTxnNo: string;
	/** The merchant's refund number (商户退款单号). */
	refundNo: string;
	/** The payment being refunded. */
	paymentPlatformTxnNo: string;
	amount: bigint;
	status: RefundStatus;
	reason?: string | null;
	createdAt: Date;
	/** When the refund succeeded or failed; defaults to createdAt for a final status. */
	processedAt?: Date;
	channelTxnNo?: string | null;
}

export interface RefundResult {
	refundId: bigint;
	created: boolean;
	status: RefundStatus;
}

export interface CompleteRefundInput {
	merchantId: bigint;
	platformTxnNo: string;
	at: Date;
	status: 'TRADE_SUCCESS' | 'TRADE_FAILURE';
	channelTxnNo?: string | null;
}

export interface WithdrawalPosting {
	merchantId: bigint;
	platformTxnNo: string;
	merchantOrderNo: string;
	txnType: WithdrawalTxnType;
	status: WithdrawalStatus;
	amount: bigint;
	feeAmount?: bigint;
	/** ACCT_CASH_OUT from this user's balance; null = the merchant's own funds. */
	userId?: bigint | null;
	cardNo: string;
	bankName?: string | null;
	payeeName?: string | null;
	memo?: string | null;
	createdAt: Date;
	completedAt?: Date;
	channelTxnNo?: string | null;
}

export interface WithdrawalResult {
	withdrawalId: bigint;
	created: boolean;
	status: WithdrawalStatus;
}

export interface WithdrawalStatusInput {
	merchantId: bigint;
	platformTxnNo: string;
	status: WithdrawalStatus;
	at: Date;
	channelTxnNo?: string | null;
}

export interface StatusChange {
	/** false when the order already had this status (a replay). */
	changed: boolean;
	status: string;
}

export interface SettlementInput {
	merchantId: bigint;
	/** The business date being closed, 'YYYY-MM-DD'. */
	accountingDate: string;
	at: Date;
}

export interface SettlementResult {
	/** Fund flows written (two per settled account); 0 on a replay. */
	flows: number;
	created: boolean;
}

/** One account of a merchant: merchant-level (userId null) or a user's USEROWN. */
export interface AccountRef {
	type: AccountType;
	sub: SubType;
	userId: bigint | null;
}
