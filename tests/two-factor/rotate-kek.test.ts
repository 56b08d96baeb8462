// KEK rotation covers second factors: scripts/rotate-kek.ts re-encrypts every TOTP key (and an
// enrolment still waiting for its first code) under KEK_CURRENT; after the old key is gone the
// person still signs in with a code from the same authenticator app.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '#db';
import { main as rotateKekScript } from '../../scripts/rotate-kek.ts';
import { rotateTotpKeys } from '#shared/server/auth/two-factor-rotate.ts';
import { isSecretBox, type SecretBox } from '#shared/server/crypto/secrets.ts';
import { sessionOf, callerFor } from '../fixtures/context.ts';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
import { browser, enrol, passwordStep, totpCode } from './helpers.ts';

const db = getDb();
// helpers.ts set KEK_CURRENT=test1 with its key; keep that key to list it beside the new one.
const test1 = process.env.KEKS!;
const k2 = randomBytes(32).toString('base64');
afterAll(() => {
	process.env.KEK_CURRENT = 'test1';
	process.env.KEKS = test1;
});

async function kidOf(staffId: bigint, column: 'totp_secret' | 'totp_pending_secret') {
	const row = await db.selectFrom('staff').select(column).where('id', '=', staffId).executeTakeFirstOrThrow();
	const box = row[column];
	return isSecretBox(box) ? (box as SecretBox).kid : null;
}

describe('rotate-kek and two-factor keys', () => {
	it('re-encrypts TOTP keys and pending enrolments under the new key, idempotently; codes still sign in once the old key is gone', async () => {
		const merchant = await makeMerchant(db);
		const enrolled = await makeStaff(db, merchant.id);
		const midway = await makeStaff(db, merchant.id);
		const { secret } = await enrol(db, enrolled.id);
		const m = await sessionOf(db, midway.id);
		await callerFor(db, m.auth).settings.twoFactor.start();
		expect([await kidOf(enrolled.id, 'totp_secret'), await kidOf(midway.id, 'totp_pending_secret')]).toEqual(['test1', 'test1']);

		// Deploy step 1: the new key is current, the old one still listed.
		process.env.KEK_CURRENT = 'k2';
		process.env.KEKS = `${test1},k2:${k2}`;
		const report = await rotateTotpKeys(db);
		expect(report.failed).toEqual([]);
		expect(report).toMatchObject({ people: 2, reencrypted: 2, current: 0 });
		expect([await kidOf(enrolled.id, 'totp_secret'), await kidOf(midway.id, 'totp_pending_secret')]).toEqual(['k2', 'k2']);

		// The script does it too (with the payment keys) and finds nothing left to do.
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		expect(await rotateKekScript()).toBe(0);
		expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/two-factor keys: people=2 re-encrypted=0 already current=2 failed=0/);
		log.mockRestore();

		// Deploy step 2: the old key is gone; the same authenticator app still signs in.
		process.env.KEKS = `k2:${k2}`;
		const { out, token } = await passwordStep(db, { merchantNo: merchant.merchant_no, phone: enrolled.phone });
		expect(out).toMatchObject({ secondFactorPending: true });
		expect(await (await browser(db, token)).auth.verifySecondFactor({ code: totpCode(secret, 1) })).toMatchObject({ mustChangePassword: false });
	});

	it('reports a key it cannot open, leaves it as it was, and the script exits non-zero', async () => {
		const merchant = await makeMerchant(db);
		const person = await makeStaff(db, merchant.id);
		process.env.KEK_CURRENT = 'test1';
		process.env.KEKS = test1;
		await enrol(db, person.id);
		const row = await db.selectFrom('staff').select('totp_secret').where('id', '=', person.id).executeTakeFirstOrThrow();
		const box = row.totp_secret as unknown as SecretBox;
		const tag = Buffer.from(box.tag, 'base64');
		tag[0] ^= 1;
		const broken = { ...box, tag: tag.toString('base64') };
		await db.updateTable('staff').set({ totp_secret: JSON.stringify(broken) }).where('id', '=', person.id).execute();

		process.env.KEK_CURRENT = 'k2';
		process.env.KEKS = `${test1},k2:${k2}`;
		const report = await rotateTotpKeys(db);
		expect(report.failed).toEqual([{ staffId: person.id, field: 'totp', error: expect.stringContaining('authentication failed') }]);
		const after = await db.selectFrom('staff').select('totp_secret').where('id', '=', person.id).executeTakeFirstOrThrow();
		expect(after.totp_secret).toEqual(broken);

		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		const err = vi.spyOn(console, 'error').mockImplementation(() => {});
		expect(await rotateKekScript()).toBe(1);
		expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toContain(`staff ${person.id} totp`);
		log.mockRestore();
		err.mockRestore();
	});
});
