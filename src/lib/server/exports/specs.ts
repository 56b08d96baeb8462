// Which lists can be exported, what each needs to be read, how its filter is checked and what
// its columns are as SQL text: Postgres formats every cell (元 from fen, Asia/Shanghai times,
// Chinese labels, formula neutralising) so COPY streams the CSV out at full speed.
// The worker runs this under plain Node: no $app/$env/$lib imports.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '#db/types.ts';
import { translate } from '#shared/i18n/messages.ts';
import { REQUIRED_ROLE_PERMISSION, type Permission } from '#shared/permissions.ts';
import { DIRECTIONS, FLOW_ACCOUNT_TYPES, FLOW_TXN_TYPES, ID_TYPES, PAYMENT_STATUSES, SUB_TYPES, USER_STATUSES, USER_TYPES, PAYMENT_TXN_TYPES, REFUND_STATUSES, WITHDRAWAL_STATUSES, WITHDRAWAL_TXN_TYPES, type TimeRange } from '#shared/schemas/lists.ts';
import { accountFlowFilter, flowFilter } from '#shared/schemas/flows.ts';
import { paymentFilter } from '#shared/schemas/payments.ts';
import { userFilter } from '#shared/schemas/users.ts';
import { refundFilter } from '#shared/schemas/refunds.ts';
import { withdrawalFilter } from '#shared/schemas/withdrawals.ts';
import { auditExportFilter } from '#shared/schemas/audit.ts';
import { EXPORT_LISTS, type ExportList } from '#shared/schemas/exports.ts';
import { operatorExportFilter } from '#shared/schemas/operators.ts';
import { roleListFilter } from '#shared/schemas/roles.ts';
import type { ListSource } from '../lists/engine.ts';
import { csvIdentifierSql, labelledSql, neutralisedSql, shanghaiTimeSql, yuanSql } from '../sql-cells.ts';
import { maskIdNoSql, maskNameSql, maskPhoneSql } from '../mask.ts';
import { rangeOrThrow } from '../lists/errors.ts';
import { flowSource } from '../lists/flows.ts';
import { rangedSource, type RangedFilter, type SourceOf } from '../lists/ranged.ts';
import { paymentSource } from '../lists/payments.ts';
import { userSource } from '../lists/users.ts';
import { refundSource } from '../lists/refunds.ts';
import { withdrawalSource } from '../lists/withdrawals.ts';
import { auditSource } from '../lists/audit.ts';
import { operatorSource } from '../lists/operators.ts';
import { roleSource } from '../lists/roles.ts';
import { AUDIT_COLUMNS, OPERATOR_COLUMNS, ROLE_COLUMNS } from './team-columns.ts';
import { ALIPAY_KEY_COLUMNS, EXPORT_RECORD_COLUMNS, exportRecordSource, paymentKeySource, WECHAT_KEY_COLUMNS } from './tool-lists.ts';

export { EXPORT_LISTS, type ExportList };

type ColumnKind = 'text' | 'money' | 'time' | 'date' | 'enum' | 'maskName' | 'maskPhone' | 'maskIdNo';
export interface ExportColumn {
	key: string;
	/** Message key of the header (the list's own column label). */
	label: string;
	kind: ColumnKind;
	/** SQL over the list's table giving the raw value (fen for money, timestamptz for time). */
	expr: string;
	/** For enums: catalogue prefix and the values. */
	labels?: { prefix: string; values: readonly string[] };
	/** Hidden in the list until chosen (so left out when the person chose nothing). */
	defaultVisible?: false;
	/** An identifier (order, flow, user number…): long all-digit values keep their digits in CSV (sql-cells.ts). */
	identifier?: true;
}

/** The file being written: CSV marks long numeric ids with a backtick, XLSX cells are text already. */
export type ExportFormat = 'csv' | 'xlsx';

interface ExportListSpec {
	permission: Permission;
	/** Any one of these reads the list too (a key tab: its write permission or 支付密钥列表). */
	anyOf?: readonly Permission[];
	filter: z.ZodType<Record<string, unknown>>;
	columns: readonly ExportColumn[];
	/** The source and time range the list itself would use; null source when nothing can match. */
	resolve(
		db: Kysely<DB>,
		merchantId: bigint,
		filter: Record<string, unknown>,
		/** Who asked (导出记录 shows each person their own; without it, nothing). */
		requester?: { staffId: bigint }
	): Promise<{ source: ListSource | null; range: TimeRange | null }>;
}

/** A money list: its export resolves the range and the source as the list itself does. */
function rangedSpec<F extends RangedFilter>(permission: Permission, filter: z.ZodType<F>, columns: readonly ExportColumn[], sourceOf: SourceOf<F>): ExportListSpec {
	return {
		permission,
		filter: filter as unknown as z.ZodType<Record<string, unknown>>,
		columns,
		resolve: (db, merchantId, f) => rangedSource(db, merchantId, f as F, sourceOf)
	};
}

const FLOW_COLUMNS: readonly ExportColumn[] = [
		{ key: 'flowNo', label: 'flow.flowNo', kind: 'text', expr: 'flow_no', identifier: true },
		// 账户小类 is the account's name (the manual's meaning); 待结算/可用 is 结算状态.
		{ key: 'accountType', label: 'flow.subType', kind: 'enum', expr: 'account_type', labels: { prefix: 'enum.accountType.', values: FLOW_ACCOUNT_TYPES } },
		{ key: 'subType', label: 'flow.settleState', kind: 'enum', expr: 'sub_type', labels: { prefix: 'enum.subType.', values: SUB_TYPES } },
		{ key: 'createdAt', label: 'flow.createdAt', kind: 'time', expr: 'created_at' },
		{ key: 'txnType', label: 'flow.txnType', kind: 'enum', expr: 'txn_type', labels: { prefix: 'enum.txnType.', values: FLOW_TXN_TYPES } },
		{ key: 'direction', label: 'flow.direction', kind: 'enum', expr: 'direction', labels: { prefix: 'enum.direction.', values: DIRECTIONS } },
		{ key: 'amount', label: 'flow.amount', kind: 'money', expr: 'amount' },
		{ key: 'balanceAfter', label: 'flow.balanceAfter', kind: 'money', expr: 'balance_after' }
];

/** A list without filters: whatever is sent, nothing is kept. */
const NO_FILTER = z.object({}).strip() as unknown as z.ZodType<Record<string, unknown>>;


/** A payment-key tab's table: readable with 支付密钥列表 or that tab's write permission. */
function keyTableSpec(provider: 'WECHAT' | 'ALIPAY', columns: readonly ExportColumn[]): ExportListSpec {
	return {
		permission: 'keys.list.read',
		anyOf: [provider === 'WECHAT' ? 'keys.wechat.write' : 'keys.alipay.write'],
		filter: NO_FILTER,
		columns,
		async resolve(_db, merchantId) {
			return { source: paymentKeySource(merchantId, provider), range: null };
		}
	};
}

export const EXPORT_SPECS: Record<ExportList, ExportListSpec> = {
	payments: rangedSpec('payments.read', paymentFilter, [
		{ key: 'merchantOrderNo', label: 'payment.merchantOrderNo', kind: 'text', expr: 'merchant_order_no', identifier: true },
		{ key: 'txnType', label: 'payment.txnType', kind: 'enum', expr: 'txn_type', labels: { prefix: 'enum.txnType.', values: PAYMENT_TXN_TYPES } },
		{ key: 'amount', label: 'payment.amount', kind: 'money', expr: 'amount' },
		{ key: 'status', label: 'payment.status', kind: 'enum', expr: 'status', labels: { prefix: 'enum.paymentStatus.', values: PAYMENT_STATUSES } },
		{ key: 'createdAt', label: 'payment.createdAt', kind: 'time', expr: 'created_at' },
		{ key: 'memo', label: 'payment.memo', kind: 'text', expr: 'memo' }
	], paymentSource),
	refunds: rangedSpec('refunds.read', refundFilter, [
		{ key: 'refundNo', label: 'refund.refundNo', kind: 'text', expr: 'refund_no', identifier: true },
		{ key: 'amount', label: 'refund.amount', kind: 'money', expr: 'amount' },
		{
			key: 'paymentMerchantOrderNo',
			label: 'refund.paymentMerchantOrderNo',
			kind: 'text',
			expr: '(SELECT p.merchant_order_no FROM payments p WHERE p.id = refunds.payment_id)',
			identifier: true
		},
		{ key: 'status', label: 'refund.status', kind: 'enum', expr: 'status', labels: { prefix: 'enum.refundStatus.', values: REFUND_STATUSES } },
		{ key: 'createdAt', label: 'refund.createdAt', kind: 'time', expr: 'created_at' },
		{ key: 'processedAt', label: 'refund.processedAt', kind: 'time', expr: 'processed_at' }
	], refundSource),
	withdrawals: rangedSpec('withdrawals.read', withdrawalFilter, [
		{ key: 'merchantOrderNo', label: 'withdrawal.merchantOrderNo', kind: 'text', expr: 'merchant_order_no', identifier: true },
		{ key: 'txnType', label: 'withdrawal.txnType', kind: 'enum', expr: 'txn_type', labels: { prefix: 'enum.txnType.', values: WITHDRAWAL_TXN_TYPES } },
		{ key: 'amount', label: 'withdrawal.amount', kind: 'money', expr: 'amount' },
		{ key: 'status', label: 'withdrawal.status', kind: 'enum', expr: 'status', labels: { prefix: 'enum.withdrawalStatus.', values: WITHDRAWAL_STATUSES } },
		{ key: 'createdAt', label: 'withdrawal.createdAt', kind: 'time', expr: 'created_at' },
		{ key: 'memo', label: 'withdrawal.memo', kind: 'text', expr: 'memo' }
	], withdrawalSource),
	flows: rangedSpec('flows.read', flowFilter, FLOW_COLUMNS, flowSource),
	// 资金明细 of the merchant's own four accounts (from the home cards), under accounts.read.
	accountFlows: rangedSpec('accounts.read', accountFlowFilter, FLOW_COLUMNS, (db, merchantId, f) => flowSource(db, merchantId, { ...f, userNo: '' })),
	users: {
		permission: 'users.read',
		filter: userFilter as unknown as z.ZodType<Record<string, unknown>>,
		columns: [
			{ key: 'userNo', label: 'user.userNo', kind: 'text', expr: 'user_no', identifier: true },
			{ key: 'name', label: 'user.name', kind: 'maskName', expr: 'name' },
			{ key: 'phone', label: 'user.phone', kind: 'maskPhone', expr: 'phone' },
			{ key: 'userType', label: 'user.userType', kind: 'enum', expr: 'user_type', labels: { prefix: 'enum.userType.', values: USER_TYPES } },
			{ key: 'status', label: 'user.status', kind: 'enum', expr: 'status', labels: { prefix: 'enum.userStatus.', values: USER_STATUSES } },
			{ key: 'idType', label: 'user.idType', kind: 'enum', expr: 'id_type', labels: { prefix: 'enum.idType.', values: ID_TYPES } },
			{ key: 'idNo', label: 'user.idNoShort', kind: 'maskIdNo', expr: 'id_no' },
			{ key: 'registeredAt', label: 'user.registeredAt', kind: 'date', expr: 'registered_at' }
		],
		async resolve(_db, merchantId, f) {
			const range = rangeOrThrow(String(f.from ?? ''), String(f.to ?? ''), {});
			return { source: userSource(merchantId, f as never), range };
		}
	},
	// The team lists have no time range of their own (the audit log's bounds are in its WHERE).
	roles: {
		permission: 'roles.manage',
		filter: roleListFilter as unknown as z.ZodType<Record<string, unknown>>,
		columns: ROLE_COLUMNS,
		async resolve(_db, merchantId, f) {
			return { source: roleSource(merchantId, f as never), range: null };
		}
	},
	operators: {
		permission: 'operators.manage',
		filter: operatorExportFilter as unknown as z.ZodType<Record<string, unknown>>,
		columns: OPERATOR_COLUMNS,
		async resolve(db, merchantId, f) {
			const roleId = typeof f.roleId === 'string' ? BigInt(f.roleId) : undefined;
			return { source: await operatorSource(db, merchantId, { ...f, roleId } as never), range: null };
		}
	},
	audit: {
		permission: 'audit.read',
		filter: auditExportFilter as unknown as z.ZodType<Record<string, unknown>>,
		columns: AUDIT_COLUMNS,
		async resolve(db, merchantId, f) {
			const staffId = typeof f.staffId === 'string' ? BigInt(f.staffId) : undefined;
			return { source: await auditSource(db, merchantId, { ...f, staffId } as never), range: null };
		}
	},
	// 参数管理's key tables: no filter, every entry of the provider; secrets only as 已设置/未设置.
	wechatKeys: keyTableSpec('WECHAT', WECHAT_KEY_COLUMNS),
	alipayKeys: keyTableSpec('ALIPAY', ALIPAY_KEY_COLUMNS),
	// 导出记录 is everyone's page: every role grants 修改密码 and the admin holds every permission.
	exports: {
		permission: REQUIRED_ROLE_PERMISSION,
		filter: NO_FILTER,
		columns: EXPORT_RECORD_COLUMNS,
		async resolve(db, merchantId, _f, requester) {
			return { source: requester ? await exportRecordSource(db, merchantId, requester.staffId) : null, range: null };
		}
	}
};

/** Whether someone holding `permissions` may export (and download an export of) the list. */
export function mayExportList(permissions: { has(p: Permission): boolean }, list: ExportList): boolean {
	const spec = EXPORT_SPECS[list];
	return permissions.has(spec.permission) || (spec.anyOf ?? []).some((p) => permissions.has(p));
}

export function isExportList(x: string): x is ExportList {
	return (EXPORT_LISTS as readonly string[]).includes(x);
}

/** The chosen columns in list order; unknown keys dropped, none chosen → all. */
export function chosenColumns(list: ExportList, keys: readonly string[]): ExportColumn[] {
	const all = EXPORT_SPECS[list].columns;
	const picked = all.filter((c) => keys.includes(c.key));
	return picked.length ? picked : all.filter((c) => c.defaultVisible !== false);
}

export function headerOf(c: ExportColumn): string {
	return translate('zh-CN', c.label);
}

/** The masks of mask.ts, in SQL (personal data never leaves whole). */
const MASK_SQL = { maskName: maskNameSql, maskPhone: maskPhoneSql, maskIdNo: maskIdNoSql } as const;

/** The column as SQL text for `format`; money as 元 with two decimals (a numeric cell in XLSX). */
export function cellSql(c: ExportColumn, format: ExportFormat): string {
	switch (c.kind) {
		case 'money':
			return yuanSql(c.expr);
		case 'time':
			return shanghaiTimeSql(c.expr);
		case 'date':
			return shanghaiTimeSql(c.expr, 'date');
		case 'maskName':
		case 'maskPhone':
		case 'maskIdNo':
			return neutralisedSql(MASK_SQL[c.kind](c.expr));
		case 'enum': {
			const { prefix, values } = c.labels ?? { prefix: '', values: [] };
			return labelledSql(c.expr, Object.fromEntries(values.map((v) => [v, translate('zh-CN', `${prefix}${v}`)])));
		}
		default:
			return c.identifier && format === 'csv' ? csvIdentifierSql(`(${c.expr})::text`, true) : neutralisedSql(`(${c.expr})::text`);
	}
}
