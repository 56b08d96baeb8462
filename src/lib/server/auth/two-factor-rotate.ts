// KEK rotation for second factors: every person's TOTP key (and an enrolment still waiting for
// its first code) is re-encrypted under KEK_CURRENT, one row per transaction, bound to the same
// person as before. scripts/rotate-kek.ts runs it after the payment keys. Idempotent: a second
// run finds nothing to do. A box that will not open (unknown kid, tampered) is reported and left
// as it was. Relative imports only (run by tsx).
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import { isSecretBox, loadKeyring, rewrapSecret, type Keyring, type SecretBox } from '../crypto/secrets.ts';
import { totpOwner } from './two-factor.ts';

export interface TotpRotationReport {
	/** People with a TOTP key or a pending enrolment. */
	people: number;
	/** Keys moved to the current kid. */
	reencrypted: number;
	/** Keys already under the current kid. */
	current: number;
	failed: { staffId: bigint; field: 'totp' | 'totpPending'; error: string }[];
}

export async function rotateTotpKeys(db: Kysely<DB>, ring: Keyring = loadKeyring()): Promise<TotpRotationReport> {
	const report: TotpRotationReport = { people: 0, reencrypted: 0, current: 0, failed: [] };
	const ids = await db
		.selectFrom('staff')
		.select('id')
		.where((eb) => eb.or([eb('totp_secret', 'is not', null), eb('totp_pending_secret', 'is not', null)]))
		.orderBy('id')
		.execute();
	for (const { id } of ids) {
		report.people++;
		await db.transaction().execute(async (tx) => {
			const row = await tx
				.selectFrom('staff')
				.select(['id', 'merchant_id', 'totp_secret', 'totp_pending_secret'])
				.where('id', '=', id)
				.forUpdate()
				.executeTakeFirst();
			if (!row) return;
			const next: { totp_secret?: string; totp_pending_secret?: string } = {};
			const fields = [
				['totp', 'totp_secret', row.totp_secret],
				['totpPending', 'totp_pending_secret', row.totp_pending_secret]
			] as const;
			for (const [field, column, box] of fields) {
				if (!isSecretBox(box)) continue;
				try {
					const r = rewrapSecret(box as SecretBox, totpOwner(row.merchant_id, row.id, field), ring);
					if (!r.changed) {
						report.current++;
						continue;
					}
					next[column] = JSON.stringify(r.box);
				} catch (e) {
					report.failed.push({ staffId: row.id, field, error: (e as Error).message });
					return; // leave the whole row as it was
				}
			}
			const changed = Object.keys(next).length;
			if (!changed) return;
			await tx.updateTable('staff').set(next).where('id', '=', row.id).execute();
			report.reencrypted += changed;
		});
	}
	return report;
}
