// How the 审计日志 list shows an entry's action, target and detail as text. Its export writes the
// same text in SQL (server/exports/team-columns.ts); keep the two in step.
import { isMessageKey, type MessageKey } from './i18n/messages.ts';

type Translate = (key: MessageKey) => string;

/** The action's label, or the action as written when it has none. */
export function auditActionText(t: Translate, action: string): string {
	const key = `audit.action.${action}`;
	return isMessageKey(key) ? t(key) : action;
}

export function auditTargetText(row: { targetType: string | null; targetId: string | null }): string {
	return row.targetType ? `${row.targetType} #${row.targetId ?? ''}` : '';
}

/** Before → after, or the detail's other fields, in one line; never more than the log holds. */
export function auditDetailText(t: Translate, d: Record<string, unknown>): string {
	const json = (v: unknown) => JSON.stringify(v);
	if ('before' in d || 'after' in d) return `${t('audit.before')}: ${json(d.before ?? null)} → ${t('audit.after')}: ${json(d.after ?? null)}`;
	return Object.keys(d).length ? json(d) : '';
}
