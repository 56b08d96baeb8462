// The columns of 角色管理, 操作员 and 审计日志 as their exports write them: the pages' own column
// keys (so a saved column choice applies), labels and order, each cell the text the list shows.
import { messages, translate, type MessageKey } from '#shared/i18n/messages.ts';
import { OPERATOR_STATUSES } from '#shared/schemas/operators.ts';
import { ROLE_STATUSES } from '#shared/schemas/roles.ts';
import type { ExportColumn } from './specs.ts';
import { labelledSql, sqlLiteral as literal } from '../sql-cells.ts';

const zh = (key: MessageKey) => translate('zh-CN', key);
/** How the pages join several things in one cell (an operator's roles). */
const JOIN = '、';

export const ROLE_COLUMNS: readonly ExportColumn[] = [
	{ key: 'id', label: 'roles.id', kind: 'text', expr: 'id', identifier: true },
	{ key: 'name', label: 'roles.name', kind: 'text', expr: 'name' },
	{ key: 'status', label: 'roles.status', kind: 'enum', expr: 'status', labels: { prefix: 'roles.status.', values: ROLE_STATUSES } },
	{ key: 'createdAt', label: 'roles.createdAt', kind: 'time', expr: 'created_at' },
	{ key: 'updatedAt', label: 'roles.updatedAt', kind: 'time', expr: 'updated_at' },
	{
		key: 'updatedBy',
		label: 'roles.updatedBy',
		kind: 'text',
		expr: '(SELECT u.name FROM staff u WHERE u.id = roles.updated_by AND u.merchant_id = roles.merchant_id)'
	},
	{ key: 'operatorCount', label: 'roles.operatorCount', kind: 'text', expr: '(SELECT count(*) FROM staff_roles sr WHERE sr.role_id = roles.id)', defaultVisible: false }
];

// The status cell shows the status and, beside it, 已锁定 and 待修改初始密码 when they apply.
const operatorStatusSql = [
	labelledSql('staff.status', Object.fromEntries(OPERATOR_STATUSES.map((s) => [s, zh(`operators.status.${s}`)]))),
	`CASE WHEN staff.locked_until > now() THEN ${literal(JOIN + zh('operators.locked'))} ELSE '' END`,
	`CASE WHEN staff.must_change_password THEN ${literal(JOIN + zh('operators.mustChange'))} ELSE '' END`
].join(' || ');

const operatorRolesSql = `coalesce((SELECT string_agg(r.name, ${literal(JOIN)} ORDER BY r.id) FROM staff_roles sr JOIN roles r ON r.id = sr.role_id AND r.merchant_id = sr.merchant_id WHERE sr.merchant_id = staff.merchant_id AND sr.staff_id = staff.id), ${literal(zh('operators.noRoles'))})`;

export const OPERATOR_COLUMNS: readonly ExportColumn[] = [
	{ key: 'id', label: 'operators.id', kind: 'text', expr: 'id', identifier: true, defaultVisible: false },
	{ key: 'name', label: 'operators.name', kind: 'text', expr: 'name' },
	{ key: 'phone', label: 'operators.phone', kind: 'maskPhone', expr: 'phone' },
	{ key: 'email', label: 'operators.email', kind: 'text', expr: 'email' },
	{ key: 'status', label: 'operators.status', kind: 'text', expr: operatorStatusSql },
	{ key: 'roles', label: 'operators.roles', kind: 'text', expr: operatorRolesSql },
	{ key: 'createdAt', label: 'operators.createdAt', kind: 'time', expr: 'created_at' }
];

/** Every action with a label in the catalogue; others are written as they are (as on the page). */
const LABELLED_ACTIONS = Object.keys(messages)
	.filter((k) => k.startsWith('audit.action.'))
	.map((k) => k.slice('audit.action.'.length));

/** A JSON string token (escapes included) or a run of other non-spaces. */
const JSON_TOKEN = literal('("(?:[^"\\\\]|\\\\.)*"|[^" ]+)');

/**
 * jsonb as JSON.stringify writes it: Postgres prints `{"a": 1, "b": [1, 2]}`, the page
 * `{"a":1,"b":[1,2]}`. Outside strings jsonb text has no other spaces, so keeping the string
 * tokens whole and every other run of non-spaces gives the compact form.
 */
function compactJsonSql(e: string): string {
	return `(SELECT string_agg(m.token[1], '' ORDER BY m.n) FROM regexp_matches((${e})::text, ${JSON_TOKEN}, 'g') WITH ORDINALITY AS m(token, n))`;
}

// src/lib/audit-text.ts auditDetailText, in SQL.
const auditDetailSql = `CASE WHEN detail ? 'before' OR detail ? 'after' THEN ${literal(`${zh('audit.before')}: `)} || ${compactJsonSql(
	`coalesce(detail -> 'before', 'null'::jsonb)`
)} || ${literal(` → ${zh('audit.after')}: `)} || ${compactJsonSql(`coalesce(detail -> 'after', 'null'::jsonb)`)} WHEN detail = '{}'::jsonb THEN '' ELSE ${compactJsonSql('detail')} END`;

export const AUDIT_COLUMNS: readonly ExportColumn[] = [
	{ key: 'time', label: 'audit.time', kind: 'time', expr: 'created_at' },
	{ key: 'person', label: 'audit.person', kind: 'text', expr: 'actor_name' },
	// Actions are written by the code, never typed by people: an enum.
	{ key: 'action', label: 'audit.action', kind: 'enum', expr: 'action', labels: { prefix: 'audit.action.', values: LABELLED_ACTIONS } },
	{ key: 'target', label: 'audit.target', kind: 'text', expr: `CASE WHEN coalesce(target_type, '') = '' THEN '' ELSE target_type || ' #' || coalesce(target_id, '') END` },
	{ key: 'detail', label: 'audit.detail', kind: 'text', expr: auditDetailSql },
	{ key: 'ip', label: 'audit.ip', kind: 'text', expr: 'ip' },
	{ key: 'userAgent', label: 'audit.userAgent', kind: 'text', expr: 'user_agent', defaultVisible: false }
];
