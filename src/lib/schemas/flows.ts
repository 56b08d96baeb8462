// 资金流水查询 and a platform account's 资金明细: filter, row and detail shapes.
import { z } from 'zod';
import {
	defaultDateRange,
	DEFAULT_RANGE_DAYS,
	DIRECTIONS,
	enumFilter,
	FLOW_ACCOUNT_TYPES,
	FLOW_TXN_TYPES,
	listInput,
	MAX_RANGE_DAYS,
	SUB_TYPES,
	textFilter,
	timeFilter,
	withRangeCheck
} from './lists.ts';

export const flowFilterObject = z.object({
	/** 用户号: empty = the merchant's own accounts */
	userNo: textFilter,
	/** 账户种类 */
	accountType: enumFilter(FLOW_ACCOUNT_TYPES),
	/** 账户小类 */
	subType: enumFilter(SUB_TYPES),
	/** 交易类型 */
	txnType: enumFilter(FLOW_TXN_TYPES),
	/** 出入账标识 */
	direction: enumFilter(DIRECTIONS),
	/** 交易时间 range */
	from: timeFilter,
	to: timeFilter
});
export const flowFilter = withRangeCheck(flowFilterObject, { from: 'from', to: 'to' }, {
	defaultDays: DEFAULT_RANGE_DAYS,
	maxDays: MAX_RANGE_DAYS
}).prefault({});
export type FlowFilter = z.output<typeof flowFilterObject>;
export type FlowFilterInput = z.input<typeof flowFilterObject>;

export function defaultFlowFilter(now?: Date): FlowFilter {
	return { userNo: '', accountType: '', subType: '', txnType: '', direction: '', ...defaultDateRange(now) };
}

export const flowListInput = listInput(flowFilter);
export type FlowListInput = z.input<typeof flowListInput>;

/** accounts.flows: one of the merchant's four accounts (资金明细 from a home card). */
export const ACCOUNT_FLOW_TYPES = ['MCHCOUPON', 'MCHFEE', 'MCHOWN', 'MCHASSURE'] as const;
export const accountFlowFilterObject = flowFilterObject.extend({
	userNo: z.literal('').default(''),
	accountType: enumFilter(ACCOUNT_FLOW_TYPES)
});
export const accountFlowFilter = withRangeCheck(accountFlowFilterObject, { from: 'from', to: 'to' }, {
	defaultDays: DEFAULT_RANGE_DAYS,
	maxDays: MAX_RANGE_DAYS
}).prefault({});
export type AccountFlowFilter = z.output<typeof accountFlowFilterObject>;
export const accountFlowListInput = listInput(accountFlowFilter);
export type AccountFlowListInput = z.input<typeof accountFlowListInput>;

export interface FlowRow {
	id: bigint;
	/** 资金流水号 */
	flowNo: string;
	accountType: string;
	/** 账户小类 */
	subType: string;
	/** 交易时间 */
	createdAt: Date;
	txnType: string;
	/** 出入账标识 */
	direction: 'CREDIT' | 'DEBIT';
	amount: bigint;
	balanceAfter: bigint;
}

/** 资金流水信息 (SPEC §2), every field. */
export interface FlowDetail extends FlowRow {
	/** 帐户号 */
	accountNo: string;
	/** 币种 */
	currency: string;
	/** 帐务日期 */
	accountingDate: string;
	/** 记账类型: the order kind (PAYMENT, REFUND, WITHDRAWAL, SETTLEMENT) */
	orderKind: string;
	/** 交易单状态 (null for a settlement) */
	orderStatus: string | null;
	/** 交易单号 (platform transaction number) */
	orderNo: string;
	/** 交易单日期时间 */
	orderCreatedAt: Date | null;
	/** 交易单类型 */
	orderTxnType: string | null;
	/** 外部订单号 */
	merchantOrderNo: string | null;
	/** 业务类型 = the flow's txnType (kept separate for the label) */
	businessType: string;
	/** 支付方式 */
	payMethod: string | null;
	/** 出账账号 */
	counterAccountNo: string | null;
	/** 摘要 */
	memo: string | null;
	/** Where the UI can link: the order's detail page, if it has one. */
	orderLink: { kind: 'PAYMENT' | 'REFUND' | 'WITHDRAWAL'; id: bigint } | null;
	/** The user's number when the account is a user's. */
	userNo: string | null;
}
