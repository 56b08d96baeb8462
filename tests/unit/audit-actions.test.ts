// The audit-action registry: every action the product can write, and every legacy one still in
// old logs, reads in both languages; the list's filter takes only categories and known actions.
import { describe, expect, it } from 'vitest';
import { messages } from '#shared/i18n/messages.ts';
import { ALL_AUDIT_ACTIONS, AUDIT_ACTIONS, auditListFilter } from '#shared/schemas/audit.ts';

describe('audit actions', () => {
	it('each has a label in zh-CN and English, and sits in the category its name starts with', () => {
		expect(ALL_AUDIT_ACTIONS.length).toBeGreaterThan(20);
		for (const action of ALL_AUDIT_ACTIONS) {
			const m = (messages as Record<string, { zh: string; en: string } | undefined>)[`audit.action.${action}`];
			expect(m?.zh, action).toBeTruthy();
			expect(m?.en, action).toBeTruthy();
		}
		for (const [category, actions] of Object.entries(AUDIT_ACTIONS)) for (const a of actions) expect(a.startsWith(`${category}.`), a).toBe(true);
	});

	it('the 操作 filter takes a category or a known action, and refuses anything else', () => {
		expect(auditListFilter.parse({ action: 'keys' }).action).toBe('keys');
		expect(auditListFilter.parse({ action: 'keys.wechat.update' }).action).toBe('keys.wechat.update');
		expect(auditListFilter.parse({ action: 'auth.signIn' }).action).toBe('auth.signIn');
		expect(auditListFilter.parse({ action: '' }).action).toBeUndefined();
		const refused = auditListFilter.safeParse({ action: "keys%' OR '1'='1" });
		expect(refused.success).toBe(false);
		expect(refused.error?.issues[0].message).toBe('audit.unknownAction');
	});
});
