// 角色管理: inputs shared by the roles router and the role editor. Messages are catalogue keys.
import { z } from 'zod';
import { REQUIRED_ROLE_PERMISSION, ROLE_PERMISSIONS, type RolePermission } from '../permissions.ts';
import { idSchema, text } from './common.ts';
import { pageSizeInput } from './lists.ts';

export const ROLE_STATUSES = ['ENABLED', 'DISABLED'] as const;
export type RoleStatus = (typeof ROLE_STATUSES)[number];

/** The team lists page like every list (10, 20, 50 or 100 rows, 20 unless asked). */
export const pageSizeSchema = pageSizeInput;
export const pageSchema = z.number().int().min(1).max(100_000).default(1);

/** '' from an empty form field means "not set". */
const optionalText = (max: number) =>
	text({ trim: true })
		.max(max, 'error.badInput')
		.optional()
		.transform((v) => (v ? v : undefined));

export const roleListFilter = z.object({
	name: optionalText(30),
	status: z
		.enum([...ROLE_STATUSES, ''])
		.optional()
		.transform((v) => (v ? v : undefined))
});

export const roleListInput = z.object({
	filter: roleListFilter.prefault({}),
	page: pageSchema,
	pageSize: pageSizeSchema
});

export const roleNameSchema = text({ trim: true }).min(1, 'roles.nameRequired').max(30, 'roles.nameTooLong');

const rolePermission = z.enum(ROLE_PERMISSIONS as [RolePermission, ...RolePermission[]], 'roles.permissionUnknown');

export const rolePermissionsSchema = z
	.array(rolePermission)
	.max(ROLE_PERMISSIONS.length * 2, 'error.badInput')
	.transform((ps) => [...new Set(ps)].sort((a, b) => ROLE_PERMISSIONS.indexOf(a) - ROLE_PERMISSIONS.indexOf(b)))
	// Operators are forced to change their initial password: a role without it would lock them out.
	.refine((ps) => ps.includes(REQUIRED_ROLE_PERMISSION), 'roles.passwordRequired');

export const roleCreateInput = z.object({ name: roleNameSchema, permissions: rolePermissionsSchema });

export const roleUpdateInput = roleCreateInput.extend({ id: idSchema });

export const roleIdInput = z.object({ id: idSchema });
export const roleSetStatusInput = z.object({ id: idSchema, status: z.enum(ROLE_STATUSES, 'error.badInput') });

/** The rows chosen for a bulk 启用/停用: 1 to 100 (a page holds at most 100), repeats counted once. */
export const BULK_MAX_IDS = 100;
export const bulkIdsSchema = z
	.array(idSchema)
	.min(1, 'team.noneSelected')
	.max(BULK_MAX_IDS, 'team.tooManySelected')
	.transform((ids) => [...new Set(ids)]);
export const roleSetStatusManyInput = z.object({ ids: bulkIdsSchema, status: z.enum(ROLE_STATUSES, 'error.badInput') });

export interface RoleRow {
	id: bigint;
	name: string;
	status: RoleStatus;
	permissions: RolePermission[];
	createdAt: Date;
	updatedAt: Date;
	/** 操作人: who last changed the role. */
	updatedByName: string | null;
	/** How many operators hold it. */
	operatorCount: number;
}
