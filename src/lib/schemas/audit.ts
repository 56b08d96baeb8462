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
		// A category or an action the log can hold; anything else would only ever find nothing.
		.refine((v) => !v || (AUDIT_CATEGORIES as readonly string[]).includes(v) || ALL_AUDIT_ACTIONS.includes(v), 'audit.unknownAction')
		.optional()
		.transform((v) => (v ? v : undefined)),
	from: timeBound,
	to: timeBound
});

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

/**
 * Every action the product writes to the audit log, by category (the filter's groups). The writer
 * takes only these (src/lib/server/audit.ts), every one has a label in the catalogue
 * ('audit.action.<action>'), and the list's 操作 filter offers the categories.
 */
export const AUDIT_ACTIONS = {
	auth: ['auth.signOut', 'auth.stepUp', 'auth.stepUpFailed'],
	password: ['password.change', 'password.initialChange', 'password.changeFailed', 'password.reset'],
	roles: ['roles.create', 'roles.update', 'roles.setStatus'],
	operators: ['operators.create', 'operators.updateInfo', 'operators.updateRoles', 'operators.resetPassword', 'operators.unlock', 'operators.resetTwoFactor', 'operators.endSessions', 'operators.delete'],
	twoFactor: ['twoFactor.enable', 'twoFactor.disable', 'twoFactor.recoveryCodesRegenerated', 'twoFactor.recoveryCodeUsed', 'twoFactor.requireAll', 'twoFactor.requireNone'],
	sessions: ['sessions.end', 'sessions.endOthers'],
	allowList: ['allowList.update'],
	merchants: ['merchants.open'],
	keys: [
		'keys.alipay.create',
		'keys.alipay.update',
		'keys.wechat.create',
		'keys.wechat.update',
		'keys.enable',
		'keys.disable',
		'keys.platform.publicKey',
		'keys.kekRotated'
	],
	exports: ['exports.create', 'exports.download'],
	statements: ['statements.request', 'statements.download', 'statements.api']
} as const;

export type AuditCategory = keyof typeof AUDIT_ACTIONS;
export type AuditAction = (typeof AUDIT_ACTIONS)[AuditCategory][number];

/** The action filter: a category ('keys' = every keys.* action) or one exact action. */
export const AUDIT_CATEGORIES = Object.keys(AUDIT_ACTIONS) as AuditCategory[];

/** Sign-in entries written before sign-ins got their own log (登录记录); still shown with their labels. */
export const LEGACY_AUDIT_ACTIONS = ['auth.signIn', 'auth.signInFailed', 'auth.locked'] as const;

/** Every action an entry can carry: the live ones and the legacy ones. */
export const ALL_AUDIT_ACTIONS: readonly string[] = [...Object.values(AUDIT_ACTIONS).flat(), ...LEGACY_AUDIT_ACTIONS];
