// 支付订单查询: filter, row and detail shapes shared by the API, the pages and the export job.
import { z } from 'zod';
import {
	defaultDateRange,
	DEFAULT_RANGE_DAYS,
	enumFilter,
	listInput,
	MAX_RANGE_DAYS,
	PAYMENT_STATUSES,
	PAYMENT_TXN_TYPES,
	textFilter,
	timeFilter,
	withRangeCheck
} from './lists.ts';

export const paymentFilterObject = z.object({
	/** 商户支付单号 (exact) */
	merchantOrderNo: textFilter,
	/** 用户号 (exact) */
	userNo: textFilter,
	/** 交易类型 */
	txnType: enumFilter(PAYMENT_TXN_TYPES),
	/** 交易状态 */
	status: enumFilter(PAYMENT_STATUSES),
	/** 交易创建时间 range */
	from: timeFilter,
	to: timeFilter
});
export const paymentFilter = withRangeCheck(paymentFilterObject, { from: 'from', to: 'to' }, {
	defaultDays: DEFAULT_RANGE_DAYS,
	maxDays: MAX_RANGE_DAYS
}).prefault({});
export type PaymentFilter = z.output<typeof paymentFilterObject>;

export function defaultPaymentFilter(now?: Date): PaymentFilter {
	return { merchantOrderNo: '', userNo: '', txnType: '', status: '', ...defaultDateRange(now) };
}

export const paymentListInput = listInput(paymentFilter);

/** A row of 支付订单 and 提现订单 alike: the columns both lists show. */
export interface OrderRow {
	id: bigint;
	merchantOrderNo: string;
	txnType: string;
	amount: bigint;
	status: string;
	createdAt: Date;
	memo: string | null;
}

export type PaymentRow = OrderRow;

export interface PaymentFlowLine {
	id: bigint;
	flowNo: string;
	accountNo: string;
	accountType: string;
	subType: string;
	/** Masked user name when the account is a user's. */
	userName: string | null;
	direction: 'CREDIT' | 'DEBIT';
	amount: bigint;
	balanceAfter: bigint;
	createdAt: Date;
	txnType: string;
	memo: string | null;
}

export interface PaymentRefundLine {
	id: bigint;
	refundNo: string;
	amount: bigint;
	status: string;
	createdAt: Date;
	processedAt: Date | null;
}

export interface PaymentLink {
	id: bigint;
	merchantOrderNo: string;
	platformTxnNo: string;
	txnType: string;
	amount: bigint;
	status: string;
	createdAt: Date;
}

export interface PaymentDetail {
	id: bigint;
	// 订单基本信息
	platformTxnNo: string;
	txnType: string;
	status: string;
	amount: bigint;
	feeAmount: bigint;
	couponAmount: bigint;
	refundedAmount: bigint;
	createdAt: Date;
	completedAt: Date | null;
	accountingDate: string | null;
	payMethod: string | null;
	payProduct: string | null;
	channelTxnNo: string | null;
	channelDate: string | null;
	// 商户订单信息
	merchantOrderNo: string;
	merchantOrderTime: Date;
	orderInfo: string | null;
	memo: string | null;
	// 付款方信息
	payer: { type: string; id: string; accountType: string | null; userNo: string | null; userName: string | null };
	// 收款方信息 (bank account masked)
	payee: { type: string; id: string; accountType: string | null; bankAccount: string | null; name: string | null };
	// 支付流水
	flows: PaymentFlowLine[];
	// 担保确认信息: for SECURED_CONSUME its confirmations; for SECURED_CONFIRM the original
	secured: { confirmedAmount: bigint; confirmations: PaymentLink[]; original: PaymentLink | null } | null;
	refunds: PaymentRefundLine[];
}
