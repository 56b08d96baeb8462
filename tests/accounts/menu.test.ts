import { describe, expect, it } from 'vitest';
import { activeMenuHref, firstMenuHref, MENU, visibleMenu } from '#shared/menu.ts';
import { ALL_PERMISSIONS, effectivePermissions } from '#shared/permissions.ts';
import { isMessageKey } from '#shared/i18n/messages.ts';

const hrefs = (perms: string[]) => visibleMenu(perms).flatMap((s) => s.items.map((i) => i.href));

describe('menu', () => {
	it('shows the admin every item of every section', () => {
		const all = visibleMenu(effectivePermissions(true, []));
		expect(all.map((s) => s.key)).toEqual(['accounts', 'users', 'trade', 'downloads', 'params', 'admin', 'settings']);
		expect(all.flatMap((s) => s.items)).toHaveLength(MENU.flatMap((s) => s.items).length);
	});

	it('drops items the person may not use, and sections left empty', () => {
		const menu = visibleMenu(['payments.read', 'settings.password']);
		expect(menu.map((s) => s.key)).toEqual(['trade', 'downloads', 'settings']);
		expect(hrefs(['payments.read', 'settings.password'])).toEqual(['/trade/payments', '/downloads/exports', '/settings/password']);
		expect(visibleMenu([])).toEqual([]);
	});

	it('shows statements to their downloaders, and keys for any key permission', () => {
		expect(hrefs(['statements.download'])).toEqual(['/downloads/statements']);
		expect(hrefs(['flows.read'])).toEqual(['/trade/flows', '/downloads/exports']);
		expect(hrefs(['statements.download', 'users.read'])).toEqual(['/users', '/downloads/statements', '/downloads/exports']);
		expect(hrefs(['keys.wechat.write'])).toEqual(['/params/keys']);
		expect(hrefs(['keys.list.read'])).toEqual(['/params/keys']);
	});

	it('never shows operator management to an operator, whatever the role says', () => {
		const operator = effectivePermissions(false, ['roles.manage', 'operators.manage', 'audit.read', 'settings.password']);
		expect(visibleMenu(operator).map((s) => s.key)).toEqual(['settings']);
	});

	it('finds the landing page and the active item', () => {
		expect(firstMenuHref(ALL_PERMISSIONS)).toBe('/');
		expect(firstMenuHref(['refunds.read'])).toBe('/trade/refunds');
		expect(firstMenuHref([])).toBeNull();
		const menu = visibleMenu(ALL_PERMISSIONS);
		expect(activeMenuHref(menu, '/')).toBe('/');
		expect(activeMenuHref(menu, '/accounts/flows')).toBe('/');
		expect(activeMenuHref(menu, '/trade/payments/123')).toBe('/trade/payments');
		expect(activeMenuHref(menu, '/trade/paymentsx')).toBeNull();
	});

	it('labels everything from the message catalogue', () => {
		for (const s of MENU) {
			expect(isMessageKey(s.label)).toBe(true);
			for (const i of s.items) expect(isMessageKey(i.label)).toBe(true);
		}
	});
});
