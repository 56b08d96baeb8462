// The statement's layout (SPEC §6): 26 columns in this order, then a summary per 交易类型 and status.
import { translate } from '../../src/lib/i18n/messages.ts';

export const STATEMENT_COLUMNS = [
	'商户订单号',
	'ACCP交易单号',
	'ACCP交易流水号',
	'平台商户号',
	'商户订单时间',
	'订单创建时间',
	'订单完成时间',
	'ACCP账务日期',
	'付款方类型',
	'付款方ID',
	'付款方账户类型',
	'收款方类型',
	'收款方ID',
	'收款方账户类型',
	'收款方银行账户',
	'收款方名称',
	'订单信息',
	'收款备注',
	'支付产品',
	'支付方式',
	'交易类型',
	'订单金额',
	'手续费',
	'交易状态',
	'渠道流水号',
	'渠道账期'
] as const;

/** Zero-based positions of the amount columns (numeric cells in XLSX). */
export const AMOUNT_COLUMN = STATEMENT_COLUMNS.indexOf('订单金额');
export const FEE_COLUMN = STATEMENT_COLUMNS.indexOf('手续费');

export const SUMMARY_TITLE = '汇总';
export const STATEMENT_SHEET = '对账单';
export const SUMMARY_COLUMNS = ['交易类型', '交易状态', '笔数', '订单金额', '手续费'] as const;
export const SUMMARY_TOTAL = '合计';

const PAYMENT_TYPES = ['USER_TOPUP', 'MCH_TOPUP', 'GENERAL_CONSUME', 'SECURED_CONSUME', 'SECURED_CONFIRM', 'INNER_FUND_EXCHANGE', 'OUTER_FUND_EXCHANGE'];
const PAYMENT_STATUSES = ['TRADE_WAIT_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSE', 'TRADE_CANCEL'];
const WITHDRAWAL_TYPES = ['ACCT_CASH_OUT', 'OUTER_FUND_EXCHANGE'];
const WITHDRAWAL_STATUSES = ['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'];

// Statements are Chinese documents (the wallets' bills are too), whatever the reader's UI language.
const zh = (key: string) => translate('zh-CN', key);

export const LABELS = {
	paymentType: Object.fromEntries(PAYMENT_TYPES.map((t) => [t, zh(`enum.txnType.${t}`)])),
	paymentStatus: Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, zh(`enum.paymentStatus.${s}`)])),
	withdrawalType: Object.fromEntries(WITHDRAWAL_TYPES.map((t) => [t, zh(`enum.txnType.${t}`)])),
	withdrawalStatus: Object.fromEntries(WITHDRAWAL_STATUSES.map((s) => [s, zh(`enum.withdrawalStatus.${s}`)])),
	refundType: zh('enum.txnType.REFUND'),
	refundStatus: zh('statements.refunded')
} as const;
