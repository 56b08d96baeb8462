// `npm run rotate-kek` (compiled: dist/rotate-kek.js): re-encrypts every saved payment-key secret and every person's
// two-factor (TOTP) key under KEK_CURRENT.
// Rotate by adding the new key to KEKS, pointing KEK_CURRENT at it, running this, and only
// then removing the old key from KEKS. Safe to run again; exits 1 if any entry failed.
import { pathToFileURL } from 'node:url';
import { createDb } from '../db/index.ts';
import { loadKeyring } from '../src/lib/server/crypto/secrets.ts';
import { rotateTotpKeys } from '../src/lib/server/auth/two-factor-rotate.ts';
import { rotateKek } from '../src/lib/server/keys/rotate.ts';

export async function main(): Promise<number> {
	const ring = loadKeyring();
	const db = createDb(undefined, 2);
	try {
		const r = await rotateKek(db, ring);
		console.log(
			`[rotate-kek] kid=${r.kid} entries=${r.entries} rewritten=${r.rewritten} ` +
				`secrets re-encrypted=${r.secretsReencrypted} already current=${r.secretsCurrent} ` +
				`fingerprints updated=${r.fingerprintsUpdated} failed=${r.failed.length}`
		);
		for (const f of r.failed) console.error(`[rotate-kek] entry ${f.id} field ${f.field}: ${f.error}`);
		const totp = await rotateTotpKeys(db, ring);
		console.log(`[rotate-kek] two-factor keys: people=${totp.people} re-encrypted=${totp.reencrypted} already current=${totp.current} failed=${totp.failed.length}`);
		for (const f of totp.failed) console.error(`[rotate-kek] staff ${f.staffId} ${f.field}: ${f.error}`);
		return r.failed.length || totp.failed.length ? 1 : 0;
	} finally {
		await db.destroy();
	}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	main().then(
		(code) => process.exit(code),
		(e) => {
			console.error(`[rotate-kek] ${(e as Error).message}`);
			process.exit(1);
		}
	);
}
