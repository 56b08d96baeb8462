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

export function defaultFlowFilter(now?: Date): FlowFilter {
	return { userNo: '', accountType: '', subType: '', txnType: '', direction: '', ...defaultDateRange(now) };
}

export const flowListInput = listInput(flowFilter);

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

/**
 * 记账类型: how the flow was booked — at once into the available balance (结算), at once into
 * the pending one (待结算), or by the end-of-day move between them (日终结转) — and which way.
 */
export const POSTING_MODES = [
	'INSTANT_SETTLED_CREDIT',
	'INSTANT_SETTLED_DEBIT',
	'INSTANT_PENDING_CREDIT',
	'INSTANT_PENDING_DEBIT',
	'DAILY_SETTLEMENT_CREDIT',
	'DAILY_SETTLEMENT_DEBIT'
] as const;
export type PostingMode = (typeof POSTING_MODES)[number];

export function postingMode(f: { txnType: string; subType: string; direction: 'CREDIT' | 'DEBIT' }): PostingMode {
	const how = f.txnType === 'DAILY_SETTLEMENT' ? 'DAILY_SETTLEMENT' : f.subType === 'PSETTLE' ? 'INSTANT_PENDING' : 'INSTANT_SETTLED';
	return `${how}_${f.direction}`;
}

export interface FlowRow {
	id: bigint;
	/** 资金流水号 */
	flowNo: string;
	/** 账户小类 as the manual shows it: the account's name (自有资金账户, 用户账户…) */
	accountType: string;
	/** 结算状态: 待结算 (PSETTLE) or 可用 (AVAILABLE) */
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
	/** 记账类型: the posting mode (即时记账结算入账 …) */
	postingMode: PostingMode;
	/** The order kind (PAYMENT, REFUND, WITHDRAWAL, SETTLEMENT): which detail page, which statuses. */
	orderKind: string;
	/** 交易单状态 (null for a settlement) */
	orderStatus: string | null;
	/** 交易单号 (platform transaction number) */
	orderNo: string;
	/** 交易单日期时间 */
	orderCreatedAt: Date | null;
	/** 交易单类型: 入账 or 出账 for this account (the flow's direction) */
	orderDirection: 'CREDIT' | 'DEBIT';
	/** The order's own transaction type (普通消费 …), shown with 业务类型. */
	orderTxnType: string | null;
	/** 开始时间: the order's creation (a settlement: its posting). */
	startedAt: Date | null;
	/** 结束时间: the order's completion (paid, refunded, withdrawn, closed); null while it is open. */
	finishedAt: Date | null;
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
