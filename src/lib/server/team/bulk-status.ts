// 启用 / 停用 in bulk (issue 12, point 3): the rows chosen on 角色管理 or 操作员 change together in
// one transaction — all or none — each through the single-row change, so each is locked, checked
// (another merchant's id, or the admin, reads as missing and refuses the whole request) and
// audited exactly as when changed alone. Rows are locked in id order, so two bulk changes over
// the same rows wait for each other instead of deadlocking.
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import type { OperatorStatus } from '#shared/schemas/operators.ts';
import type { RoleStatus } from '#shared/schemas/roles.ts';
import type { Actor } from '../audit.ts';
import { DomainError } from '../domain-error.ts';
import { applyOperatorInfo } from './operator-changes.ts';
import { applyRoleStatus } from './roles.ts';

const ascending = (ids: readonly bigint[]) => [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** How many of the chosen rows changed (the rest were in that state already). */
export interface BulkOutcome {
	changed: number;
	unchanged: number;
}

export function setRolesStatus(db: Kysely<DB>, actor: Actor, input: { ids: readonly bigint[]; status: RoleStatus }): Promise<BulkOutcome> {
	return db.transaction().execute(async (tx) => {
		let changed = 0;
		const ids = ascending(input.ids);
		for (const id of ids) if ((await applyRoleStatus(tx, actor, { id, status: input.status })).changed) changed++;
		return { changed, unchanged: ids.length - changed };
	});
}

/** Disabling ends each operator's sessions at once. The signed-in person is never among them. */
export function setOperatorsStatus(db: Kysely<DB>, actor: Actor, input: { ids: readonly bigint[]; status: OperatorStatus }): Promise<BulkOutcome> {
	if (input.ids.includes(actor.staffId)) throw new DomainError('BAD_REQUEST', 'operators.notSelf');
	return db.transaction().execute(async (tx) => {
		let changed = 0;
		const ids = ascending(input.ids);
		for (const id of ids) if ((await applyOperatorInfo(tx, actor, { id, status: input.status }, { onlyIfChanged: true })).changed) changed++;
		return { changed, unchanged: ids.length - changed };
	});
}
