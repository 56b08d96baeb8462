// 操作员: inputs shared by the operators router and its forms. Messages are catalogue keys.
import { z } from 'zod';
import { idSchema, idTextSchema, text } from './common.ts';
import { bulkIdsSchema, pageSchema, pageSizeSchema } from './roles.ts';

export const OPERATOR_STATUSES = ['ACTIVE', 'DISABLED'] as const;
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number];

const optionalText = (max: number) =>
	text({ trim: true })
		.max(max, 'error.badInput')
		.optional()
		.transform((v) => (v ? v : undefined));

export const operatorListFilter = z.object({
	name: optionalText(50),
	/** Any part of the phone number. */
	phone: text({ trim: true })
		.max(11, 'operators.phoneInvalid')
		.regex(/^[0-9]*$/, 'operators.phoneInvalid')
		.optional()
		.transform((v) => (v ? v : undefined)),
	status: z
		.enum([...OPERATOR_STATUSES, ''])
		.optional()
		.transform((v) => (v ? v : undefined)),
	roleId: idSchema.optional()
});

/** The list's filter as 导出 receives it (the role id as text). */
export const operatorExportFilter = operatorListFilter.extend({ roleId: idTextSchema });

export const operatorListInput = z.object({
	filter: operatorListFilter.prefault({}),
	page: pageSchema,
	pageSize: pageSizeSchema
});

export const operatorNameSchema = text({ trim: true }).min(1, 'operators.nameRequired').max(50, 'operators.nameTooLong');
export const operatorPhoneSchema = text({ trim: true }).regex(/^1[0-9]{10}$/, 'operators.phoneInvalid');
/** Optional: '' clears it. Same shape the database checks (something@something, no spaces). */
export const operatorEmailSchema = text({ trim: true })
	.max(100, 'operators.emailInvalid')
	.refine((v) => v === '' || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), 'operators.emailInvalid')
	.transform((v) => (v === '' ? null : v))
	.nullish()
	.transform((v) => v ?? null);
export const roleIdsSchema = z.array(idSchema).max(50, 'error.badInput').transform((ids) => [...new Set(ids)]);

export const operatorCreateInput = z.object({
	name: operatorNameSchema,
	phone: operatorPhoneSchema,
	email: operatorEmailSchema,
	roleIds: roleIdsSchema
});

export const operatorIdInput = z.object({ id: idSchema });
export const operatorUpdateInfoInput = z.object({
	id: idSchema,
	email: operatorEmailSchema,
	status: z.enum(OPERATOR_STATUSES, 'error.badInput')
});
export const operatorUpdateRolesInput = z.object({ id: idSchema, roleIds: roleIdsSchema });
/** 启用 / 停用 of the operators chosen on the list. */
export const operatorSetStatusManyInput = z.object({ ids: bulkIdsSchema, status: z.enum(OPERATOR_STATUSES, 'error.badInput') });

export interface OperatorRoleRef {
	id: bigint;
	name: string;
	status: 'ENABLED' | 'DISABLED';
}

export interface OperatorRow {
	id: bigint;
	name: string;
	/** Masked: 139****0000. */
	phone: string;
	email: string | null;
	status: OperatorStatus;
	locked: boolean;
	mustChangePassword: boolean;
	/** Signs in with a second factor (the admin can reset it). */
	twoFactorEnabled: boolean;
	roles: OperatorRoleRef[];
	createdAt: Date;
	updatedAt: Date;
}

/** 查看信息: the merchant, the operator (phone masked) and their roles. */
export interface OperatorDetail extends OperatorRow {
	merchantNo: string;
	merchantName: string;
	lockedUntil: Date | null;
	failedAttempts: number;
}
