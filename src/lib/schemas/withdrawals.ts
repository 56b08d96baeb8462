// 提现订单查询 (incl. 外部代发 payouts to cards): filter, row and detail shapes.
import { z } from 'zod';
import {
	defaultDateRange,
	DEFAULT_RANGE_DAYS,
	enumFilter,
	listInput,
	MAX_RANGE_DAYS,
	textFilter,
	timeFilter,
	withRangeCheck,
	WITHDRAWAL_STATUSES,
	WITHDRAWAL_TXN_TYPES
} from './lists.ts';
import type { OrderRow } from './payments.ts';

export const withdrawalFilterObject = z.object({
	/** 外部提现单号 (exact) */
	merchantOrderNo: textFilter,
	/** 用户号 (exact) */
	userNo: textFilter,
	/** 用户手机 (exact) */
	userPhone: textFilter,
	/** 收款卡号 (exact) */
	cardNo: textFilter,
	/** 交易类型 */
	txnType: enumFilter(WITHDRAWAL_TXN_TYPES),
	/** 交易状态 */
	status: enumFilter(WITHDRAWAL_STATUSES),
	/** 交易创建日期 range */
	from: timeFilter,
	to: timeFilter
});
export const withdrawalFilter = withRangeCheck(withdrawalFilterObject, { from: 'from', to: 'to' }, {
	defaultDays: DEFAULT_RANGE_DAYS,
	maxDays: MAX_RANGE_DAYS
}).prefault({});
export type WithdrawalFilter = z.output<typeof withdrawalFilterObject>;

export function defaultWithdrawalFilter(now?: Date): WithdrawalFilter {
	return { merchantOrderNo: '', userNo: '', userPhone: '', cardNo: '', txnType: '', status: '', ...defaultDateRange(now) };
}

export const withdrawalListInput = listInput(withdrawalFilter);

export type WithdrawalRow = OrderRow;

export interface WithdrawalDetail extends WithdrawalRow {
	platformTxnNo: string;
	feeAmount: bigint;
	/** Masked, 621700******1234 */
	cardNo: string;
	bankName: string | null;
	/** Masked */
	payeeName: string | null;
	completedAt: Date | null;
	accountingDate: string | null;
	channelTxnNo: string | null;
	/** null: the merchant's own funds */
	user: { id: bigint; userNo: string; name: string; phone: string } | null;
	/** 付款方信息: a user's balance (用户号) or the merchant's own funds (商户号). */
	payer: { type: 'USER' | 'MERCHANT'; id: string; accountType: 'USEROWN' | 'MCHOWN' };
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
