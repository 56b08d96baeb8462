// Recovery codes: ten per person, shown once, single-use, stored as argon2id hashes through the
// hashing gate (password.ts), so a leaked table does not hand out a way past the second factor.
// Hashing and checking never run inside a transaction.
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Kysely, Transaction } from 'kysely';
import type { DB, Db } from '#db';
import { hashPassword, verifyPassword } from './password.ts';

export const RECOVERY_CODE_COUNT = 10;

/** Ten characters of base32 (50 bits), shown as `xxxxx-xxxxx`. */
function newRecoveryCode(): string {
	const raw = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(7))).slice(0, 10);
	return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** The canonical form of a typed recovery code (any case, spaces and dashes ignored); null if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
	const compact = input.replace(/[\s-]/g, '').toLowerCase();
	return /^[a-z2-7]{10}$/.test(compact) ? `${compact.slice(0, 5)}-${compact.slice(5)}` : null;
}

/** Fresh codes and their hashes (hashed here, before any transaction opens). */
export async function generateRecoveryCodes(): Promise<{ codes: string[]; hashes: string[] }> {
	const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
	const hashes: string[] = [];
	for (const code of codes) hashes.push(await hashPassword(code));
	return { codes, hashes };
}

/** Replaces every recovery code of the person with these hashes (inside the caller's transaction). */
export async function replaceRecoveryCodes(tx: Transaction<DB> | Kysely<DB>, staffId: bigint, hashes: readonly string[]): Promise<void> {
	await tx.deleteFrom('recovery_codes').where('staff_id', '=', staffId).execute();
	if (hashes.length) await tx.insertInto('recovery_codes').values(hashes.map((code_hash) => ({ staff_id: staffId, code_hash }))).execute();
}

export async function recoveryCodesLeft(db: Db, staffId: bigint): Promise<number> {
	const r = await db
		.selectFrom('recovery_codes')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('staff_id', '=', staffId)
		.where('used_at', 'is', null)
		.executeTakeFirstOrThrow();
	return Number(r.n);
}

/**
 * Uses up the recovery code `code` (normalized) of the person. The row is marked used in one
 * conditional UPDATE, so two requests with the same code cannot both pass.
 */
export async function consumeRecoveryCode(
	db: Db,
	staffId: bigint,
	code: string
): Promise<{ ok: true; left: number } | { ok: false; reason: 'badCode' | 'codeReplayed' }> {
	const rows = await db.selectFrom('recovery_codes').select(['id', 'code_hash', 'used_at']).where('staff_id', '=', staffId).orderBy('id').execute();
	for (const row of rows) {
		if (!(await verifyPassword(row.code_hash, code))) continue;
		if (row.used_at) return { ok: false, reason: 'codeReplayed' };
		const used = await db
			.updateTable('recovery_codes')
			.set({ used_at: new Date() })
			.where('id', '=', row.id)
			.where('used_at', 'is', null)
			.executeTakeFirst();
		if (used.numUpdatedRows === 0n) return { ok: false, reason: 'codeReplayed' };
		return { ok: true, left: await recoveryCodesLeft(db, staffId) };
	}
	return { ok: false, reason: 'badCode' };
}
