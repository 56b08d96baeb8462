// The sidebar, built from the permission registry: a person sees only what they may use,
// and a section with nothing visible disappears. Hiding is for the eye; the API checks again.
import type { MessageKey } from './i18n/messages';
import type { Permission } from './permissions';

export type MenuIcon = 'wallet' | 'users' | 'receipt' | 'download' | 'key' | 'shield' | 'settings';

interface MenuItem {
	label: MessageKey;
	href: string;
	/** Any one of these lets the person see the item. */
	anyOf: readonly Permission[];
}

export interface MenuSection {
	key: string;
	label: MessageKey;
	icon: MenuIcon;
	items: readonly MenuItem[];
}

/** Whoever can read a list can see their own exports of it. */
const LIST_READ_PERMISSIONS = [
	'accounts.read',
	'users.read',
	'payments.read',
	'refunds.read',
	'withdrawals.read',
	'flows.read',
	'roles.manage',
	'operators.manage',
	'audit.read'
] as const satisfies readonly Permission[];

export const KEY_PERMISSIONS = [
	'keys.platform.write',
	'keys.list.read',
	'keys.alipay.write',
	'keys.wechat.write'
] as const satisfies readonly Permission[];

export const MENU: readonly MenuSection[] = [
	{ key: 'accounts', label: 'menu.accounts', icon: 'wallet', items: [{ label: 'menu.accounts', href: '/', anyOf: ['accounts.read'] }] },
	{ key: 'users', label: 'menu.users', icon: 'users', items: [{ label: 'menu.users', href: '/users', anyOf: ['users.read'] }] },
	{
		key: 'trade',
		label: 'menu.trade',
		icon: 'receipt',
		items: [
			{ label: 'menu.trade.payments', href: '/trade/payments', anyOf: ['payments.read'] },
			{ label: 'menu.trade.refunds', href: '/trade/refunds', anyOf: ['refunds.read'] },
			{ label: 'menu.trade.withdrawals', href: '/trade/withdrawals', anyOf: ['withdrawals.read'] },
			{ label: 'menu.trade.flows', href: '/trade/flows', anyOf: ['flows.read'] }
		]
	},
	{
		key: 'downloads',
		label: 'menu.downloads',
		icon: 'download',
		items: [
			{ label: 'menu.downloads.statements', href: '/downloads/statements', anyOf: ['statements.download'] },
			{ label: 'menu.downloads.exports', href: '/downloads/exports', anyOf: LIST_READ_PERMISSIONS }
		]
	},
	{
		key: 'params',
		label: 'menu.params',
		icon: 'key',
		items: [{ label: 'menu.params.keys', href: '/params/keys', anyOf: KEY_PERMISSIONS }]
	},
	{
		key: 'admin',
		label: 'menu.admin',
		icon: 'shield',
		items: [
			{ label: 'menu.admin.roles', href: '/admin/roles', anyOf: ['roles.manage'] },
			{ label: 'menu.admin.operators', href: '/admin/operators', anyOf: ['operators.manage'] },
			{ label: 'menu.admin.audit', href: '/admin/audit', anyOf: ['audit.read'] }
		]
	},
	{
		key: 'settings',
		label: 'menu.settings',
		icon: 'settings',
		items: [
			{ label: 'menu.settings.password', href: '/settings/password', anyOf: ['settings.password'] },
			{ label: 'menu.settings.profile', href: '/settings/profile', anyOf: ['settings.profile'] },
			// Listed beside 个人信息; the page itself needs no permission (修改密码 links to it too, and
			// a person the merchant requires to enrol is taken there).
			{ label: 'menu.settings.twoFactor', href: '/settings/two-factor', anyOf: ['settings.profile'] },
			{ label: 'menu.settings.devices', href: '/settings/devices', anyOf: ['settings.profile'] },
			{ label: 'menu.settings.signIns', href: '/settings/sign-ins', anyOf: ['settings.profile'] },
			// The admin's, like the merchant's two-factor policy.
			{ label: 'menu.settings.allowList', href: '/settings/allow-list', anyOf: ['operators.manage'] }
		]
	}
];

/** The menu as this person may see it. */
export function visibleMenu(permissions: Iterable<Permission | string>): MenuSection[] {
	const held = new Set<string>(permissions);
	return MENU.flatMap((section) => {
		const items = section.items.filter((item) => item.anyOf.some((p) => held.has(p)));
		return items.length ? [{ ...section, items }] : [];
	});
}

/** Where a person without the home page should land: their first visible item, if any. */
export function firstMenuHref(permissions: Iterable<Permission | string>): string | null {
	return visibleMenu(permissions)[0]?.items[0]?.href ?? null;
}

/** The item a path belongs to: the longest href that is the path or a parent of it. */
export function activeMenuHref(sections: readonly MenuSection[], pathname: string): string | null {
	let best: string | null = null;
	for (const s of sections)
		for (const { href } of s.items) {
			const match = href === '/' ? pathname === '/' || pathname.startsWith('/accounts') : pathname === href || pathname.startsWith(`${href}/`);
			if (match && (best === null || href.length > best.length)) best = href;
		}
	return best;
}
