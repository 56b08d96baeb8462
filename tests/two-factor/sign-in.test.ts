// Two-factor sign-in end to end through the routers: enrolment (secret at rest, recovery codes),
// the code step after the password, replay, the shared attempt limits, recovery codes once.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { isSecretBox } from '#shared/server/crypto/secrets.ts';
import { resolveSession, validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor, sessionOf, type RecordedCookie } from '../fixtures/context.ts';
import { makeMerchant, makeRole, makeStaff } from '../fixtures/merchant.ts';
import { outcome, refusal } from '../fixtures/outcome.ts';
import { browser, enrol, passwordStep, totpCode, wrongCode } from './helpers.ts';

const db = getDb();

async function person(opts: Parameters<typeof makeStaff>[2] = {}) {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, opts);
	await makeRole(db, merchant.id, ['payments.read', 'settings.password'], { staffIds: [staff.id] });
	return { merchant, staff, who: { merchantNo: merchant.merchant_no, phone: staff.phone } };
}

describe('enrolment', () => {
	it('confirms a key with a first code, keeps the key sealed and ten recovery codes hashed, and shows the codes once', async () => {
		const { staff } = await person();
		const other = await sessionOf(db, staff.id);
		const { secret, recoveryCodes, token, started } = await enrol(db, staff.id);

		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		expect(started.uri).toContain(`secret=${secret}`);
		expect(started.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
		expect(recoveryCodes).toHaveLength(10);
		expect(new Set(recoveryCodes).size).toBe(10);
		for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);

		const row = await db.selectFrom('staff').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(isSecretBox(row.totp_secret)).toBe(true);
		expect(JSON.stringify(row.totp_secret)).not.toContain(secret);
		expect(row.totp_enabled_at).toBeInstanceOf(Date);
		expect(row.totp_pending_secret).toBeNull();
		const stored = await db.selectFrom('recovery_codes').select(['code_hash', 'used_at']).where('staff_id', '=', staff.id).execute();
		expect(stored).toHaveLength(10);
		for (const s of stored) {
			expect(s.code_hash).toMatch(/^\$argon2id\$/);
			expect(recoveryCodes.some((c) => s.code_hash.includes(c))).toBe(false);
		}

		// the enrolling browser stays signed in; the sessions opened with the password alone end
		expect(await validateSessionToken(db, token)).not.toBeNull();
		expect(await validateSessionToken(db, other.token)).toBeNull();
		const audit = await db.selectFrom('audit_log').select('action').where('staff_id', '=', staff.id).execute();
		expect(audit.map((a) => a.action)).toEqual(['twoFactor.enable']);

		// status says so, and there is nothing to show again
		const auth = (await validateSessionToken(db, token))!.auth;
		expect(await callerFor(db, auth).settings.twoFactor.status()).toEqual({ enabled: true, enabledAt: row.totp_enabled_at, recoveryCodesLeft: 10, required: false });
		expect(await refusal(callerFor(db, auth).settings.twoFactor.start())).toEqual({ code: 'CONFLICT', message: 'twoFactor.alreadyEnabled' });
	});

	it('a wrong first code turns nothing on', async () => {
		const { staff } = await person();
		const { auth } = await sessionOf(db, staff.id);
		const caller = callerFor(db, auth);
		const { secret } = await caller.settings.twoFactor.start();
		expect(await refusal(caller.settings.twoFactor.confirm({ code: wrongCode(secret) }))).toEqual({ code: 'BAD_REQUEST', message: 'auth.badCode' });
		expect(await caller.settings.twoFactor.status()).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
		expect(await db.selectFrom('recovery_codes').select('id').where('staff_id', '=', staff.id).execute()).toEqual([]);
	});
});

describe('signing in with a second factor', () => {
	it('the password opens only a half session; the code completes it with a new session cookie', async () => {
		const { staff, who } = await person();
		const { secret } = await enrol(db, staff.id);

		const { out, token: half } = await passwordStep(db, who);
		expect(out).toEqual({ mustChangePassword: false, secondFactorPending: true });
		// not signed in: hooks resolve no person, every signed-in procedure is refused
		expect(await validateSessionToken(db, half)).toBeNull();
		expect((await resolveSession(db, half))?.kind).toBe('pending');
		const pendingCaller = await browser(db, half);
		expect(await refusal(pendingCaller.auth.me())).toEqual({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
		expect(await refusal(pendingCaller.payments.list({}))).toEqual({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });

		const cookies: RecordedCookie[] = [];
		expect(await (await browser(db, half, { cookies })).auth.verifySecondFactor({ code: totpCode(secret, 1) })).toEqual({ mustChangePassword: false });
		const full = cookies[0].value;
		expect(full).not.toBe(half);
		expect(await resolveSession(db, half)).toBeNull();
		const auth = (await validateSessionToken(db, full))!.auth;
		expect(auth.staff.id).toBe(staff.id);
		expect(await outcome(callerFor(db, auth).payments.list({}))).toBe('ok');

		const log = await db.selectFrom('sign_in_log').select(['event', 'ok', 'reason']).where('staff_id', '=', staff.id).orderBy('id').execute();
		expect(log).toEqual([
			{ event: 'signIn', ok: true, reason: 'secondFactorPending' },
			{ event: 'secondFactor', ok: true, reason: null }
		]);
	});

	it('a wrong code and a replayed code are refused; the half session can try again', async () => {
		const { staff, who } = await person();
		const { secret } = await enrol(db, staff.id);

		const first = await passwordStep(db, who);
		expect(await refusal((await browser(db, first.token)).auth.verifySecondFactor({ code: wrongCode(secret) }))).toEqual({ code: 'UNAUTHORIZED', message: 'auth.badCode' });
		const code = totpCode(secret, 1);
		await (await browser(db, first.token)).auth.verifySecondFactor({ code });

		// the same code again, in a new sign-in, within its window
		const second = await passwordStep(db, who);
		expect(await refusal((await browser(db, second.token)).auth.verifySecondFactor({ code }))).toEqual({ code: 'UNAUTHORIZED', message: 'auth.codeReplayed' });
		// the code the enrolment used is older still
		expect(await refusal((await browser(db, second.token)).auth.verifySecondFactor({ code: totpCode(secret, 0) }))).toEqual({ code: 'UNAUTHORIZED', message: 'auth.codeReplayed' });
		expect((await resolveSession(db, second.token))?.kind).toBe('pending');

		const reasons = await db.selectFrom('sign_in_log').select('reason').where('staff_id', '=', staff.id).where('event', '=', 'secondFactor').where('ok', '=', false).orderBy('id').execute();
		expect(reasons.map((r) => r.reason)).toEqual(['badCode', 'codeReplayed', 'codeReplayed']);
	});

	it('the code step needs a half session: without one it says the sign-in timed out', async () => {
		expect(await refusal(callerFor(db, null).auth.verifySecondFactor({ code: '123456' }))).toEqual({ code: 'UNAUTHORIZED', message: 'auth.secondFactorExpired' });
	});

	it('a half session lives ten minutes and 返回 ends it', async () => {
		const { staff, who } = await person();
		await enrol(db, staff.id);
		const { token } = await passwordStep(db, who);
		const row = await db.selectFrom('sessions').select(['created_at', 'absolute_expires_at', 'verified_at']).where('staff_id', '=', staff.id).where('second_factor_pending', '=', true).executeTakeFirstOrThrow();
		expect(row.absolute_expires_at.getTime() - row.created_at.getTime()).toBe(10 * 60_000);
		expect(row.verified_at).toBeNull();
		const cookies: RecordedCookie[] = [];
		expect(await (await browser(db, token, { cookies })).auth.cancelSignIn()).toEqual({ ok: true });
		expect(cookies[0]).toMatchObject({ value: '', opts: { maxAge: 0 } });
		expect(await resolveSession(db, token)).toBeNull();
	});

	it('wrong codes count toward the limits: five per person, the sixth (even the right one) is refused', async () => {
		const { staff, who } = await person();
		const { secret } = await enrol(db, staff.id);
		const { token } = await passwordStep(db, who);
		const results = await Promise.all(
			Array.from({ length: 12 }, async () => outcome((await browser(db, token)).auth.verifySecondFactor({ code: wrongCode(secret) })))
		);
		const checked = await db.selectFrom('sign_in_log').select('id').where('staff_id', '=', staff.id).where('event', '=', 'secondFactor').execute();
		expect(checked).toHaveLength(5);
		expect(results.filter((r) => r !== 'ok' && r.message === 'auth.codeLocked')).toHaveLength(8);
		expect(await refusal((await browser(db, token)).auth.verifySecondFactor({ code: totpCode(secret, 1) }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: 'auth.codeLocked' });
	});

	it('a recovery code signs in once, in any case and spacing, and the audit log says so', async () => {
		const { staff, who } = await person();
		const { recoveryCodes } = await enrol(db, staff.id);
		const typed = recoveryCodes[3].toUpperCase().replace('-', ' ');

		const first = await passwordStep(db, who);
		const cookies: RecordedCookie[] = [];
		await (await browser(db, first.token, { cookies })).auth.verifySecondFactor({ code: typed });
		expect(await validateSessionToken(db, cookies[0].value)).not.toBeNull();
		const audit = await db.selectFrom('audit_log').select(['action', 'detail']).where('staff_id', '=', staff.id).where('action', '=', 'twoFactor.recoveryCodeUsed').execute();
		expect(audit).toEqual([{ action: 'twoFactor.recoveryCodeUsed', detail: { recoveryCodesLeft: 9 } }]);

		const second = await passwordStep(db, who);
		expect(await refusal((await browser(db, second.token)).auth.verifySecondFactor({ code: recoveryCodes[3] }))).toEqual({ code: 'UNAUTHORIZED', message: 'auth.codeReplayed' });
		// another code still works
		await (await browser(db, second.token)).auth.verifySecondFactor({ code: recoveryCodes[4] });
		expect(await resolveSession(db, second.token)).toBeNull();
	});

	it('without a second factor the password signs in as before', async () => {
		const { who } = await person();
		const { out, token } = await passwordStep(db, who);
		expect(out).toEqual({ mustChangePassword: false });
		expect(await validateSessionToken(db, token)).not.toBeNull();
	});
});

describe('new recovery codes and switching off', () => {
	it('new codes replace the old ones', async () => {
		const { staff } = await person();
		const { recoveryCodes, token } = await enrol(db, staff.id);
		const auth = (await validateSessionToken(db, token))!.auth;
		const fresh = (await callerFor(db, auth).settings.twoFactor.regenerateRecoveryCodes()).recoveryCodes;
		expect(fresh).toHaveLength(10);
		expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
		const { who } = { who: { merchantNo: (await db.selectFrom('merchants').select('merchant_no').where('id', '=', staff.merchant_id).executeTakeFirstOrThrow()).merchant_no, phone: staff.phone } };
		const half = await passwordStep(db, who);
		expect(await refusal((await browser(db, half.token)).auth.verifySecondFactor({ code: recoveryCodes[0] }))).toEqual({ code: 'UNAUTHORIZED', message: 'auth.badCode' });
		await (await browser(db, half.token)).auth.verifySecondFactor({ code: fresh[0] });
		expect(await resolveSession(db, half.token)).toBeNull();
	});

	it('off with a current code; afterwards the password alone signs in', async () => {
		const { staff, who } = await person();
		const { secret, token } = await enrol(db, staff.id);
		const auth = (await validateSessionToken(db, token))!.auth;
		expect(await refusal(callerFor(db, auth).settings.twoFactor.disable({ code: wrongCode(secret) }))).toEqual({ code: 'BAD_REQUEST', message: 'auth.badCode' });
		expect(await callerFor(db, auth).settings.twoFactor.disable({ code: totpCode(secret, 1) })).toEqual({ ok: true });
		const row = await db.selectFrom('staff').select(['totp_secret', 'totp_enabled_at']).where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(row).toEqual({ totp_secret: null, totp_enabled_at: null });
		expect(await db.selectFrom('recovery_codes').select('id').where('staff_id', '=', staff.id).execute()).toEqual([]);
		expect((await passwordStep(db, who)).out.secondFactorPending).toBeUndefined();
		const actions = await db.selectFrom('audit_log').select('action').where('staff_id', '=', staff.id).orderBy('id').execute();
		expect(actions.map((a) => a.action)).toEqual(['twoFactor.enable', 'twoFactor.disable']);
	});
});
