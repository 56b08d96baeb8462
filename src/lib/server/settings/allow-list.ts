// 设置 → 登录地址白名单: saving the merchant's list (enforced by auth/allow-list.ts at sign-in and
// on every request of a session).
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import type { AllowListView } from '#shared/schemas/allow-list.ts';
import { auditChange, type Actor } from '../audit.ts';
import { addressAllowed, normalizeAllowList } from '../auth/allow-list.ts';
import { DomainError } from '../domain-error.ts';

/**
 * Saves the whole list (empty: anywhere). A list that leaves out the admin's own address
 * signs the admin out too, so it needs confirmExcludesSelf; everyone outside it is signed
 * out at their next request. Audited only when it changes.
 */
export async function saveAllowList(db: Kysely<DB>, actor: Actor, input: { entries: string[]; confirmExcludesSelf?: boolean }): Promise<AllowListView> {
	const entries = normalizeAllowList(input.entries);
	const youAreInside = addressAllowed(entries, actor.ip);
	if (!youAreInside && !input.confirmExcludesSelf) throw new DomainError('CONFLICT', 'allowList.excludesYou', { params: { address: actor.ip ?? '?' } });
	return db.transaction().execute(async (tx) => {
		const before = await tx.selectFrom('merchants').select('sign_in_allow_list').where('id', '=', actor.merchantId).forUpdate().executeTakeFirstOrThrow();
		const same = before.sign_in_allow_list.length === entries.length && before.sign_in_allow_list.every((e, i) => e === entries[i]);
		if (!same) {
			await tx.updateTable('merchants').set({ sign_in_allow_list: entries }).where('id', '=', actor.merchantId).execute();
			await auditChange(tx, actor, 'allowList.update', { type: 'merchant', id: actor.merchantId }, {
				before: { entries: before.sign_in_allow_list },
				after: { entries },
				...(youAreInside ? {} : { excludesOwnAddress: actor.ip })
			});
		}
		return { entries, yourAddress: actor.ip, youAreInside };
	});
}
