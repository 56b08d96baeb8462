// 退款订单查询: filter, row and detail shapes.
import { z } from 'zod';
import {
	defaultDateRange,
	DEFAULT_RANGE_DAYS,
	enumFilter,
	listInput,
	MAX_RANGE_DAYS,
	REFUND_STATUSES,
	resolveRange,
	textFilter,
	timeFilter,
	withRangeCheck
} from './lists.ts';

export const refundFilterObject = z.object({
	/** 商户退款单号 (exact) */
	refundNo: textFilter,
	/** 原商户交易单号 (exact) */
	paymentMerchantOrderNo: textFilter,
	/** 退款状态 */
	status: enumFilter(REFUND_STATUSES),
	/** 退款申请时间 range */
	from: timeFilter,
	to: timeFilter,
	/** 退款处理时间 range (optional, no default) */
	processedFrom: timeFilter,
	processedTo: timeFilter
});
export const refundFilter = withRangeCheck(refundFilterObject, { from: 'from', to: 'to' }, {
	defaultDays: DEFAULT_RANGE_DAYS,
	maxDays: MAX_RANGE_DAYS
})
	.superRefine((f, ctx) => {
		const r = resolveRange(f.processedFrom, f.processedTo, { maxDays: MAX_RANGE_DAYS });
		if (!r.ok) ctx.addIssue({ code: 'custom', message: r.key, path: ['processedTo'] });
	})
	.prefault({});
export type RefundFilter = z.output<typeof refundFilterObject>;

export function defaultRefundFilter(now?: Date): RefundFilter {
	return { refundNo: '', paymentMerchantOrderNo: '', status: '', ...defaultDateRange(now), processedFrom: '', processedTo: '' };
}

export const refundListInput = listInput(refundFilter);

export interface RefundRow {
	id: bigint;
	refundNo: string;
	amount: bigint;
	paymentMerchantOrderNo: string;
	paymentId: bigint;
	status: string;
	createdAt: Date;
	processedAt: Date | null;
}

export interface RefundDetail extends RefundRow {
	platformTxnNo: string;
	reason: string | null;
	accountingDate: string | null;
	channelTxnNo: string | null;
	payment: { id: bigint; merchantOrderNo: string; platformTxnNo: string; txnType: string; amount: bigint; status: string; createdAt: Date };
	flows: {
		id: bigint;
		flowNo: string;
		accountNo: string;
		accountType: string;
		subType: string;
		direction: 'CREDIT' | 'DEBIT';
		amount: bigint;
		balanceAfter: bigint;
		createdAt: Date;
	}[];
}
