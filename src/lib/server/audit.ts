// The audit log: append-only (a database trigger refuses UPDATE and DELETE on audit_log).
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import type { AuditAction } from '../schemas/audit.ts';

export type { AuditAction } from '../schemas/audit.ts';

/** Who makes a change, as the audit log records them. */
export interface Actor {
	merchantId: bigint;
	staffId: bigint;
	actorName: string;
	ip: string | null;
	userAgent: string | null;
}

/** One audit row for a change `actor` made to `target`; pass the change's transaction. */
export function auditChange(
	db: Kysely<DB> | Transaction<DB>,
	actor: Actor,
	action: AuditAction,
	target: { type: string; id: bigint },
	detail: Record<string, unknown>
): Promise<void> {
	return writeAudit(db, { ...actor, action, targetType: target.type, targetId: target.id, detail });
}

interface AuditEntry {
	merchantId: bigint | null;
	staffId: bigint | null;
	actorName?: string | null;
	action: AuditAction;
	targetType?: string | null;
	targetId?: string | bigint | null;
	detail?: Record<string, unknown>;
	ip?: string | null;
	userAgent?: string | null;
}

/** Writes one audit row; pass a transaction to make the entry part of the change it records. */
export async function writeAudit(db: Kysely<DB> | Transaction<DB>, entry: AuditEntry): Promise<void> {
	await db
		.insertInto('audit_log')
		.values({
			merchant_id: entry.merchantId,
			staff_id: entry.staffId,
			actor_name: entry.actorName ?? null,
			action: entry.action,
			target_type: entry.targetType ?? null,
			target_id: entry.targetId == null ? null : String(entry.targetId),
			detail: JSON.stringify(entry.detail ?? {}, jsonSafe),
			ip: entry.ip?.slice(0, 100) ?? null,
			user_agent: entry.userAgent?.slice(0, 500) ?? null
		})
		.execute();
}

// bigint ids in a detail must not make JSON.stringify throw.
function jsonSafe(_key: string, value: unknown): unknown {
	return typeof value === 'bigint' ? value.toString() : value;
}
