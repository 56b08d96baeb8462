// The permission registry: one tree, shaped as SPEC §5. It drives the menu, the role
// editor, the tRPC middleware and the authorization tests. Labels are message keys.

export interface PermissionNode {
	/** Group keys are plain names; leaf keys are the permissions themselves. */
	key: string;
	label: string;
	children?: readonly PermissionNode[];
}

export const PERMISSION_TREE = [
	{ key: 'accounts', label: 'perm.accounts', children: [{ key: 'accounts.read', label: 'perm.accounts.read' }] },
	{ key: 'users', label: 'perm.users', children: [{ key: 'users.read', label: 'perm.users.read' }] },
	{
		key: 'trade',
		label: 'perm.trade',
		children: [
			{ key: 'payments.read', label: 'perm.payments.read' },
			{ key: 'refunds.read', label: 'perm.refunds.read' },
			{ key: 'withdrawals.read', label: 'perm.withdrawals.read' },
			{ key: 'flows.read', label: 'perm.flows.read' }
		]
	},
	{ key: 'downloads', label: 'perm.downloads', children: [{ key: 'statements.download', label: 'perm.statements.download' }] },
	{
		key: 'params',
		label: 'perm.params',
		children: [
			{
				key: 'keys',
				label: 'perm.keys',
				children: [
					{ key: 'keys.platform.write', label: 'perm.keys.platform.write' },
					{ key: 'keys.list.read', label: 'perm.keys.list.read' },
					{ key: 'keys.alipay.write', label: 'perm.keys.alipay.write' },
					{ key: 'keys.wechat.write', label: 'perm.keys.wechat.write' }
				]
			}
		]
	},
	{
		key: 'settings',
		label: 'perm.settings',
		children: [
			{ key: 'settings.password', label: 'perm.settings.password' },
			{ key: 'settings.profile', label: 'perm.settings.profile' }
		]
	}
] as const satisfies readonly PermissionNode[];

type Leaves<T> = T extends { children: readonly (infer C)[] } ? Leaves<C> : T extends { key: infer K } ? K : never;

/** A permission a role may hold. */
export type RolePermission = Leaves<(typeof PERMISSION_TREE)[number]>;

/** Held by the admin only; never assignable to a role (operator management is admin-only). */
const ADMIN_ONLY_PERMISSIONS = ['roles.manage', 'operators.manage', 'audit.read'] as const;
type AdminPermission = (typeof ADMIN_ONLY_PERMISSIONS)[number];

export type Permission = RolePermission | AdminPermission;

/**
 * What a procedure declares in `.meta({ permission })`:
 * - a Permission: the signed-in person must hold it;
 * - a list of Permissions: any one of them will do (an empty list lets no one through);
 * - 'authenticated': any signed-in person who has no pending initial-password change;
 * - 'public': no session needed (sign-in, forgot password).
 * A procedure that declares nothing is refused by the middleware.
 */
export type ProcedurePermission = Permission | readonly Permission[] | 'authenticated' | 'public';

/**
 * The permissions of which a declaration asks for any one, or null when none is asked
 * ('authenticated', 'public').
 */
export function requiredAnyOf(permission: ProcedurePermission): readonly Permission[] | null {
	if (permission === 'authenticated' || permission === 'public') return null;
	return typeof permission === 'string' ? [permission] : permission;
}

/** Every role must grant this: operators are forced to change their initial password. */
export const REQUIRED_ROLE_PERMISSION = 'settings.password' satisfies RolePermission;

function collectLeaves(nodes: readonly PermissionNode[], out: string[] = []): string[] {
	for (const n of nodes) {
		if (n.children) collectLeaves(n.children, out);
		else out.push(n.key);
	}
	return out;
}

export const ROLE_PERMISSIONS = collectLeaves(PERMISSION_TREE) as RolePermission[];
export const ALL_PERMISSIONS: Permission[] = [...ROLE_PERMISSIONS, ...ADMIN_ONLY_PERMISSIONS];

export function isRolePermission(p: string): p is RolePermission {
	return (ROLE_PERMISSIONS as string[]).includes(p);
}

/** The permissions a signed-in person holds. */
export function effectivePermissions(isAdmin: boolean, enabledRolePermissions: readonly string[]): Set<Permission> {
	if (isAdmin) return new Set(ALL_PERMISSIONS);
	return new Set(enabledRolePermissions.filter(isRolePermission));
}
