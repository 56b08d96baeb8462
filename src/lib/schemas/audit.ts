// 审计日志: the list filter shared by the audit router and its screen.
import { z } from 'zod';
import { idSchema, idTextSchema, text } from './common.ts';
import { pageSchema, pageSizeSchema } from './roles.ts';

/** 'YYYY-MM-DD' (Asia/Shanghai, whole day) or 'YYYY-MM-DD HH:mm:ss'. */
export const timeBound = text({ trim: true })
	.regex(/^(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?)?$/, 'audit.badTime')
	.optional()
	.transform((v) => (v ? v : undefined));

export const auditListFilter = z.object({
	staffId: idSchema.optional(),
	action: text({ trim: true })
		.max(60, 'error.badInput')
		.optional()
		.transform((v) => (v ? v : undefined)),
	from: timeBound,
	to: timeBound
});
export type AuditListFilter = z.input<typeof auditListFilter>;

/** The list's filter as 导出 receives it (the person's id as text). */
export const auditExportFilter = auditListFilter.extend({ staffId: idTextSchema });

export const auditListInput = z.object({
	filter: auditListFilter.prefault({}),
	page: pageSchema,
	pageSize: pageSizeSchema
});

export interface AuditRow {
	id: bigint;
	createdAt: Date;
	staffId: bigint | null;
	actorName: string | null;
	action: string;
	targetType: string | null;
	targetId: string | null;
	detail: Record<string, unknown>;
	ip: string | null;
	userAgent: string | null;
}

/** The action filter: a category ('keys' = every keys.* action) or one exact action. */
export const AUDIT_CATEGORIES = ['auth', 'password', 'roles', 'operators', 'keys', 'exports', 'statements'] as const;

/** Actions with their own label; others show as written. */
export const AUDIT_ACTIONS = [
	'auth.signIn',
	'auth.signInFailed',
	'auth.signOut',
	'auth.locked',
	'password.change',
	'password.initialChange',
	'password.reset',
	'roles.create',
	'roles.update',
	'roles.setStatus',
	'operators.create',
	'operators.updateInfo',
	'operators.updateRoles',
	'operators.resetPassword',
	'operators.unlock',
	'keys.update',
	'exports.create',
	'statements.download'
] as const;
