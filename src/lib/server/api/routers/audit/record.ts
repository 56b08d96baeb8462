import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import { writeAudit, type AuditAction } from '$lib/server/audit';
import type { ProtectedContext } from '../../init';

/** One audit row for a change the signed-in admin made; pass the change's transaction. */
export function auditChange(
	ctx: ProtectedContext,
	db: Kysely<DB> | Transaction<DB>,
	action: AuditAction,
	target: { type: string; id: bigint },
	detail: Record<string, unknown>
): Promise<void> {
	return writeAudit(db, {
		merchantId: ctx.merchantId,
		staffId: ctx.staffId,
		actorName: ctx.auth.staff.name,
		action,
		targetType: target.type,
		targetId: target.id,
		detail,
		ip: ctx.ip,
		userAgent: ctx.userAgent
	});
}

/** True when a Postgres error is the unique constraint named (e.g. a role name already used). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
	const e = error as { code?: string; constraint?: string } | null;
	return e?.code === '23505' && e.constraint === constraint;
}
