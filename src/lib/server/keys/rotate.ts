// KEK rotation: re-encrypts every payment_keys secret under KEK_CURRENT, one transaction
// per entry, and recomputes the peppered fingerprints (the pepper follows the KEK).
// Idempotent: a second run finds nothing to do. Relative imports only (run by tsx).
import type { Kysely } from 'kysely';
import type { DB } from '#db';
import { writeAudit } from '../audit.ts';
import { decryptSecret, isSecretBox, loadKeyring, rewrapSecret, secretFingerprint, type Keyring, type SecretBox } from '../crypto/secrets.ts';
import { paymentKeyOwner, PEPPERED_FIELDS } from './fields.ts';

export interface RotationReport {
	/** Entries looked at. */
	entries: number;
	/** Entries written (re-encrypted or fingerprints refreshed). */
	rewritten: number;
	/** Secrets moved to the current kid. */
	secretsReencrypted: number;
	/** Secrets already under the current kid. */
	secretsCurrent: number;
	fingerprintsUpdated: number;
	/** Entries left untouched because a secret would not decrypt (unknown kid, tampered). */
	failed: { id: bigint; field: string; error: string }[];
	kid: string;
}

export async function rotateKek(db: Kysely<DB>, ring: Keyring = loadKeyring()): Promise<RotationReport> {
	const report: RotationReport = {
		entries: 0,
		rewritten: 0,
		secretsReencrypted: 0,
		secretsCurrent: 0,
		fingerprintsUpdated: 0,
		failed: [],
		kid: ring.current
	};
	const ids = await db.selectFrom('payment_keys').select('id').orderBy('id').execute();
	for (const { id } of ids) {
		report.entries++;
		await db.transaction().execute(async (tx) => {
			const row = await tx
				.selectFrom('payment_keys')
				.select(['id', 'merchant_id', 'provider', 'external_id', 'secret_fields', 'fingerprints'])
				.where('id', '=', id)
				.forUpdate()
				.executeTakeFirst();
			if (!row) return;
			const secrets: Record<string, unknown> = { ...row.secret_fields };
			const fingerprints = { ...row.fingerprints };
			const fromKids = new Set<string>();
			let reencrypted = 0;
			let current = 0;
			let fingerprintsChanged = 0;
			for (const [field, box] of Object.entries(row.secret_fields)) {
				if (!isSecretBox(box)) continue;
				const owner = paymentKeyOwner(row.merchant_id, row.provider, row.external_id, field);
				try {
					const { box: next, changed } = rewrapSecret(box, owner, ring);
					if (changed) {
						fromKids.add(box.kid);
						reencrypted++;
					} else current++;
					secrets[field] = next;
					if (PEPPERED_FIELDS.has(field)) {
						const fp = secretFingerprint(decryptSecret(next as SecretBox, owner, ring), ring);
						if (fingerprints[field] !== fp) {
							fingerprints[field] = fp;
							fingerprintsChanged++;
						}
					}
				} catch (e) {
					report.failed.push({ id: row.id, field, error: (e as Error).message });
					return; // leave the whole entry as it was
				}
			}
			report.secretsReencrypted += reencrypted;
			report.secretsCurrent += current;
			if (reencrypted === 0 && fingerprintsChanged === 0) return;
			await tx
				.updateTable('payment_keys')
				.set({ secret_fields: JSON.stringify(secrets), fingerprints: JSON.stringify(fingerprints) })
				.where('id', '=', row.id)
				.execute();
			await writeAudit(tx, {
				merchantId: row.merchant_id,
				staffId: null,
				actorName: 'system',
				action: 'keys.kekRotated',
				targetType: 'payment_key',
				targetId: row.id,
				detail: { fromKids: [...fromKids], toKid: ring.current, secrets: reencrypted, fingerprintsUpdated: fingerprintsChanged }
			});
			report.rewritten++;
			report.fingerprintsUpdated += fingerprintsChanged;
		});
	}
	return report;
}
