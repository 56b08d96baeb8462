// The statement's layout (SPEC §6): 26 columns in this order, then a summary per 交易类型 and status.
import { messages, translate } from '#shared/i18n/messages.ts';

/**
 * The 26 columns in order. `freeText`: supplied by a merchant, a user or a channel, so the
 * cell is neutralised against formulas and XML-escaped in the XLSX; every other column holds
 * the platform's own numbers, codes, times or labels. `identifier`: an order, flow, merchant,
 * user, card or channel number, whose long all-digit values get a leading backtick in the CSV
 * so Excel/WPS keep every digit (src/lib/server/sql-cells.ts).
 */
const LAYOUT: readonly { header: string; freeText?: true; identifier?: true }[] = [
	{ header: '商户订单号', freeText: true, identifier: true },
	{ header: 'ACCP交易单号', identifier: true },
	{ header: 'ACCP交易流水号', identifier: true },
	{ header: '平台商户号', identifier: true },
	{ header: '商户订单时间' },
	{ header: '订单创建时间' },
	{ header: '订单完成时间' },
	{ header: 'ACCP账务日期' },
	{ header: '付款方类型' },
	{ header: '付款方ID', freeText: true, identifier: true },
	{ header: '付款方账户类型' },
	{ header: '收款方类型' },
	{ header: '收款方ID', freeText: true, identifier: true },
	{ header: '收款方账户类型' },
	{ header: '收款方银行账户', freeText: true, identifier: true },
	{ header: '收款方名称', freeText: true },
	{ header: '订单信息', freeText: true },
	{ header: '收款备注', freeText: true },
	{ header: '支付产品', freeText: true },
	{ header: '支付方式', freeText: true },
	{ header: '交易类型' },
	{ header: '订单金额' },
	{ header: '手续费' },
	{ header: '交易状态' },
	{ header: '渠道流水号', freeText: true, identifier: true },
	{ header: '渠道账期' }
];

export const STATEMENT_COLUMNS = LAYOUT.map((c) => c.header);
/** Zero-based positions of the free-text columns. */
export const FREE_TEXT_COLUMNS: ReadonlySet<number> = new Set(LAYOUT.flatMap((c, i) => (c.freeText ? [i] : [])));
/** Zero-based positions of the identifier columns. */
export const IDENTIFIER_COLUMNS: ReadonlySet<number> = new Set(LAYOUT.flatMap((c, i) => (c.identifier ? [i] : [])));

/** Zero-based positions of the amount columns (numeric cells in XLSX). */
export const AMOUNT_COLUMN = STATEMENT_COLUMNS.indexOf('订单金额');
export const FEE_COLUMN = STATEMENT_COLUMNS.indexOf('手续费');

export const SUMMARY_TITLE = '汇总';
export const STATEMENT_SHEET = '对账单';
/**
 * The 汇总 by direction: money in per 交易类型, then its total, refunds, withdrawals/payouts per
 * 交易类型, fees, and the net. In and out are never added together: the net subtracts.
 */
export const SUMMARY_COLUMNS = ['项目', '交易类型', '笔数', '金额'] as const;
export const DIRECTION = { in: '收入', inTotal: '收入合计', refund: '退款', payout: '提现/代发', fee: '手续费', net: '净额' } as const;
/** The balance reconciliation per merchant account: opening + credits − debits = closing, 平/不平. */
export const RECONCILIATION_TITLE = '余额核对';
export const RECONCILIATION_COLUMNS = ['账户', '期初余额', '入账', '出账', '期末余额', '核对'] as const;
export const BALANCED = { yes: '平', no: '不平' } as const;
/** The merchant's own accounts, in the order the 账户管理 screen lists them. */
export const RECONCILED_ACCOUNTS = ['MCHCOUPON', 'MCHFEE', 'MCHOWN', 'MCHASSURE'] as const;

const PAYMENT_TYPES = ['USER_TOPUP', 'MCH_TOPUP', 'GENERAL_CONSUME', 'SECURED_CONSUME', 'SECURED_CONFIRM', 'INNER_FUND_EXCHANGE', 'OUTER_FUND_EXCHANGE'];
const PAYMENT_STATUSES = ['TRADE_WAIT_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSE', 'TRADE_CANCEL'];
const WITHDRAWAL_TYPES = ['ACCT_CASH_OUT', 'OUTER_FUND_EXCHANGE'];
const WITHDRAWAL_STATUSES = ['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'];

// Statements are Chinese documents (the wallets' bills are too), whatever the reader's UI language.
const zh = (key: string) => translate('zh-CN', key);

/** Every code of a catalogue family (`enum.partyType.` …) with its Chinese label, as the list screens show it. */
function family(prefix: string): Record<string, string> {
	return Object.fromEntries(Object.keys(messages).filter((k) => k.startsWith(prefix)).map((k) => [k.slice(prefix.length), zh(k)]));
}

export const LABELS = {
	partyType: family('enum.partyType.'),
	accountTypeAll: family('enum.accountType.'),
	payMethod: family('enum.payMethod.'),
	paymentType: Object.fromEntries(PAYMENT_TYPES.map((t) => [t, zh(`enum.txnType.${t}`)])),
	paymentStatus: Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, zh(`enum.paymentStatus.${s}`)])),
	withdrawalType: Object.fromEntries(WITHDRAWAL_TYPES.map((t) => [t, zh(`enum.txnType.${t}`)])),
	withdrawalStatus: Object.fromEntries(WITHDRAWAL_STATUSES.map((s) => [s, zh(`enum.withdrawalStatus.${s}`)])),
	accountType: Object.fromEntries(RECONCILED_ACCOUNTS.map((t) => [t, zh(`enum.accountType.${t}`)])),
	refundType: zh('enum.txnType.REFUND'),
	refundStatus: zh('statements.refunded')
} as const;
