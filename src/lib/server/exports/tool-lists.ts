// The lists outside 交易管理 and 操作员管理 that have 导出 too (issue 12, point 11): the payment-key
// tables of 参数管理 (微信, 支付宝) and 导出记录. Each export holds what its table shows and
// nothing more: a key's secrets leave the database only as 已设置/未设置 (never a box, not even
// encrypted, nor a fingerprint), like the table's SecretCell.
// The worker runs this under plain Node: no $app/$env/$lib imports.
import { sql, type Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { messages, translate, type MessageKey } from '#shared/i18n/messages.ts';
import type { ListSource } from '../lists/engine.ts';
import { visibleExportsWhere } from './records.ts';
import { sqlLiteral } from '../sql-cells.ts';
import type { ExportColumn } from './specs.ts';

const zh = (key: MessageKey) => translate('zh-CN', key);

/** One provider's entries of the merchant, the table's order (newest first). */
export function paymentKeySource(merchantId: bigint, provider: 'WECHAT' | 'ALIPAY'): ListSource {
	return {
		table: 'payment_keys',
		timeColumn: 'created_at',
		where: sql`payment_keys.merchant_id = ${merchantId} AND payment_keys.provider = ${provider}`,
		amountColumn: null,
		rollup: null
	};
}

/** 导出记录 as its page shows it to this person: the admin sees the merchant's, anyone else their own. */
export async function exportRecordSource(db: Kysely<DB>, merchantId: bigint, staffId: bigint): Promise<ListSource> {
	// Whether they are the admin now, at the build (the worker knows only who asked).
	const who = await db.selectFrom('staff').select('is_admin').where('merchant_id', '=', merchantId).where('id', '=', staffId).executeTakeFirst();
	const where = visibleExportsWhere('exports', { merchantId, staffId, isAdmin: who?.is_admin === true });
	return { table: 'exports', timeColumn: 'created_at', where, amountColumn: null, rollup: null };
}

/** 已设置 / 未设置 for a secret field: whether its box exists, never anything of it. */
const secretSetSql = (field: string) =>
	`CASE WHEN payment_keys.secret_fields -> ${sqlLiteral(field)} IS NOT NULL THEN ${sqlLiteral(zh('keys.set'))} ELSE ${sqlLiteral(zh('keys.notSet'))} END`;
const keyStatus: ExportColumn = { key: 'status', label: 'keys.col.status', kind: 'enum', expr: 'status', labels: { prefix: 'keys.status.', values: ['ENABLED', 'DISABLED'] } };
const keyTail: readonly ExportColumn[] = [
	keyStatus,
	{ key: 'createdAt', label: 'keys.col.createdAt', kind: 'time', expr: 'created_at' },
	{ key: 'updatedAt', label: 'keys.col.updatedAt', kind: 'time', expr: 'updated_at' },
	{
		key: 'updatedBy',
		label: 'keys.col.updatedBy',
		kind: 'text',
		expr: '(SELECT u.name FROM staff u WHERE u.id = payment_keys.updated_by AND u.merchant_id = payment_keys.merchant_id)'
	}
];

export const WECHAT_KEY_COLUMNS: readonly ExportColumn[] = [
	{ key: 'externalId', label: 'keys.wechat.mchId', kind: 'text', expr: 'external_id', identifier: true },
	{ key: 'appid', label: 'keys.appid', kind: 'text', expr: 'appid' },
	{ key: 'signType', label: 'keys.signType', kind: 'text', expr: 'sign_type' },
	{ key: 'apiKey', label: 'keys.wechat.apiKey', kind: 'text', expr: secretSetSql('apiKey') },
	{ key: 'certP12', label: 'keys.wechat.certP12', kind: 'text', expr: secretSetSql('certP12') },
	{ key: 'certPassword', label: 'keys.wechat.certPassword', kind: 'text', expr: secretSetSql('certPassword') },
	{ key: 'validFrom', label: 'keys.wechat.certValidFrom', kind: 'time', expr: 'valid_from' },
	{ key: 'validTo', label: 'keys.wechat.certValidTo', kind: 'time', expr: 'valid_to' },
	...keyTail
];

export const ALIPAY_KEY_COLUMNS: readonly ExportColumn[] = [
	{ key: 'externalId', label: 'keys.alipay.pid', kind: 'text', expr: 'external_id', identifier: true },
	{ key: 'appid', label: 'keys.appid', kind: 'text', expr: 'appid' },
	{ key: 'signType', label: 'keys.signType', kind: 'text', expr: 'sign_type' },
	{ key: 'privateKey', label: 'keys.alipay.privateKey', kind: 'text', expr: secretSetSql('privateKey') },
	// Public: its size, as the table shows it (the key itself is in the entry's 编辑).
	{
		key: 'alipayPublicKey',
		label: 'keys.alipay.alipayPublicKey',
		kind: 'text',
		expr: `CASE WHEN payment_keys.public_fields ->> 'alipayPublicKeyPem' IS NOT NULL THEN replace(${sqlLiteral(zh('keys.bits'))}, '{bits}', coalesce(payment_keys.public_fields ->> 'alipayPublicKeyBits', '')) ELSE ${sqlLiteral(zh('keys.notSet'))} END`
	},
	{ key: 'md5Key', label: 'keys.alipay.md5Key', kind: 'text', expr: secretSetSql('md5Key') },
	...keyTail
];

/** Every list an export can come from, with its name (a list added later reads by its key until it has one). */
const exportListLabels = Object.fromEntries(
	Object.keys(messages)
		.filter((k) => k.startsWith('exports.list.'))
		.map((k) => [k.slice('exports.list.'.length), zh(k as MessageKey)])
);
const listLabelSql = `CASE list_key ${Object.entries(exportListLabels)
	.map(([k, v]) => `WHEN ${sqlLiteral(k)} THEN ${sqlLiteral(v)}`)
	.join(' ')} ELSE list_key END || CASE WHEN selected_ids IS NULL THEN '' ELSE ' · ' || replace(${sqlLiteral(zh('exports.selectedRows'))}, '{count}', cardinality(selected_ids)::text) END`;

/** The page's size text: B, KB or MB with one decimal, cut (not rounded) as the page does. */
const sizeSql = `(SELECT CASE WHEN f.size < 1024 THEN f.size::text || ' B' WHEN f.size < 1048576 THEN trunc(f.size / 1024.0, 1)::text || ' KB' ELSE trunc(f.size / 1048576.0, 1)::text || ' MB' END FROM files f WHERE f.id = exports.file_id)`;

export const EXPORT_RECORD_COLUMNS: readonly ExportColumn[] = [
	{ key: 'list', label: 'exports.col.list', kind: 'text', expr: listLabelSql },
	{ key: 'format', label: 'exports.col.format', kind: 'text', expr: `CASE format WHEN 'XLSX' THEN 'Excel' ELSE 'CSV' END` },
	{ key: 'status', label: 'exports.col.status', kind: 'enum', expr: 'status', labels: { prefix: 'exports.status.', values: ['QUEUED', 'RUNNING', 'READY', 'FAILED', 'EXPIRED'] } },
	{
		key: 'progress',
		label: 'exports.col.progress',
		kind: 'text',
		expr: `(CASE WHEN coalesce(rows_total, 0) = 0 THEN CASE WHEN rows_done > 0 THEN 100 ELSE 0 END ELSE least(100, rows_done * 100 / rows_total) END)::text || '%'`
	},
	{ key: 'rows', label: 'exports.col.rows', kind: 'text', expr: `rows_done::text || coalesce(' / ' || rows_total::text, '')` },
	{ key: 'size', label: 'exports.col.size', kind: 'text', expr: sizeSql },
	{ key: 'who', label: 'exports.col.who', kind: 'text', expr: '(SELECT s.name FROM staff s WHERE s.id = exports.staff_id AND s.merchant_id = exports.merchant_id)' },
	{ key: 'createdAt', label: 'exports.col.createdAt', kind: 'time', expr: 'created_at' },
	{ key: 'expiresAt', label: 'exports.col.expiresAt', kind: 'time', expr: 'expires_at' }
];
