// The admin's side of two-factor: requiring it of everyone (those without it can only enrol)
// and resetting an operator's second factor.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { captureLogs } from '#shared/server/log.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor, sessionOf } from '../fixtures/context.ts';
import { makeMerchant, makeRole, makeStaff } from '../fixtures/merchant.ts';
import { outcome, refusal } from '../fixtures/outcome.ts';
import { browser, enrol, passwordStep, totpCode } from './helpers.ts';

const db = getDb();

async function team() {
	const merchant = await makeMerchant(db);
	const admin = await makeStaff(db, merchant.id, { isAdmin: true, name: '管理员' });
	const operator = await makeStaff(db, merchant.id, { name: '小王' });
	await makeRole(db, merchant.id, ['payments.read', 'settings.password', 'settings.profile'], { staffIds: [operator.id] });
	return { merchant, admin, operator, who: { merchantNo: merchant.merchant_no, phone: operator.phone } };
}

describe('require two-factor for everyone', () => {
	it('the admin must have it first', async () => {
		const { admin } = await team();
		const { auth } = await sessionOf(db, admin.id);
		expect(await refusal(callerFor(db, auth).operators.setTwoFactorRequired({ required: true }))).toEqual({ code: 'CONFLICT', message: 'twoFactor.enrolFirst' });
		expect(await callerFor(db, auth).operators.twoFactorPolicy()).toEqual({ required: false });
	});

	it('someone without it signs in to enrolment only; after enrolling everything they hold works', async () => {
		const { merchant, admin, who } = await team();
		const { token: adminToken } = await enrol(db, admin.id);
		const adminAuth = (await validateSessionToken(db, adminToken))!.auth;
		expect(await callerFor(db, adminAuth).operators.setTwoFactorRequired({ required: true })).toEqual({ required: true });
		const audit = await db.selectFrom('audit_log').select(['action', 'target_type', 'target_id']).where('merchant_id', '=', merchant.id).where('action', '=', 'twoFactor.requireAll').execute();
		expect(audit).toEqual([{ action: 'twoFactor.requireAll', target_type: 'merchant', target_id: String(merchant.id) }]);

		const { out, token } = await passwordStep(db, who);
		expect(out.secondFactorPending).toBeUndefined();
		const op = await browser(db, token);
		expect(await refusal(op.payments.list({}))).toEqual({ code: 'FORBIDDEN', message: 'auth.mustEnrolTwoFactor' });
		expect(await refusal(op.settings.profile())).toEqual({ code: 'FORBIDDEN', message: 'auth.mustEnrolTwoFactor' });
		expect(await outcome(op.auth.me())).toBe('ok');
		expect((await op.auth.me()).permissions).toEqual([]);
		expect(await op.settings.twoFactor.status()).toMatchObject({ enabled: false, required: true });

		const { secret } = await op.settings.twoFactor.start();
		await op.settings.twoFactor.confirm({ code: totpCode(secret) });
		const after = await browser(db, token);
		expect(await outcome(after.payments.list({}))).toBe('ok');
		// and it cannot be switched off while required
		expect(await refusal(after.settings.twoFactor.disable({ code: totpCode(secret, 1) }))).toEqual({ code: 'FORBIDDEN', message: 'twoFactor.requiredCannotDisable' });
	});

	it('an operator cannot change the policy', async () => {
		const { operator } = await team();
		const { auth } = await sessionOf(db, operator.id);
		expect(await refusal(callerFor(db, auth).operators.setTwoFactorRequired({ required: false }))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
	});
});

describe("resetting an operator's second factor", () => {
	it('forgets the key and codes, ends every session of theirs, audits it and tells them by SMS', async () => {
		const { merchant, admin, operator, who } = await team();
		await enrol(db, operator.id);
		const opSession = await sessionOf(db, operator.id);
		const { auth } = await sessionOf(db, admin.id);

		expect((await callerFor(db, auth).operators.get({ id: operator.id })).twoFactorEnabled).toBe(true);
		// The outbox sender logs one line per message (never its text).
		const log = captureLogs('info');
		try {
			expect(await callerFor(db, auth).operators.resetTwoFactor({ id: operator.id })).toEqual({ id: operator.id, smsStatus: 'SENT' });
		} finally {
			log.stop();
		}
		expect(log.entries().map((e) => e.msg)).toContainEqual(expect.stringMatching(/^\[sms\] outbox #\d+ TWO_FACTOR_RESET to 139\*{4}\d{4}$/));

		const row = await db.selectFrom('staff').select(['totp_secret', 'totp_enabled_at', 'totp_last_counter']).where('id', '=', operator.id).executeTakeFirstOrThrow();
		expect(row).toEqual({ totp_secret: null, totp_enabled_at: null, totp_last_counter: null });
		expect(await db.selectFrom('recovery_codes').select('id').where('staff_id', '=', operator.id).execute()).toEqual([]);
		expect(await validateSessionToken(db, opSession.token)).toBeNull();
		const audit = await db.selectFrom('audit_log').select(['action', 'staff_id', 'target_id']).where('action', '=', 'operators.resetTwoFactor').execute();
		expect(audit).toEqual([{ action: 'operators.resetTwoFactor', staff_id: admin.id, target_id: String(operator.id) }]);
		const sms = await db.selectFrom('sms_outbox').select(['phone', 'purpose', 'body']).where('merchant_id', '=', merchant.id).where('purpose', '=', 'TWO_FACTOR_RESET').execute();
		expect(sms).toHaveLength(1);
		expect(sms[0].phone).toBe(operator.phone);
		expect(sms[0].body).toContain('二次验证');

		// the password alone signs them in again
		expect((await passwordStep(db, who)).out.secondFactorPending).toBeUndefined();
		// nothing left to reset
		expect(await refusal(callerFor(db, auth).operators.resetTwoFactor({ id: operator.id }))).toEqual({ code: 'CONFLICT', message: 'twoFactor.operatorNotEnrolled' });
	});

	it("another merchant's operator, and the admin, read as not found", async () => {
		const { admin } = await team();
		const other = await team();
		await enrol(db, other.operator.id);
		const { auth } = await sessionOf(db, admin.id);
		expect(await refusal(callerFor(db, auth).operators.resetTwoFactor({ id: other.operator.id }))).toEqual({ code: 'NOT_FOUND', message: 'error.notFound' });
		expect(await refusal(callerFor(db, auth).operators.resetTwoFactor({ id: admin.id }))).toEqual({ code: 'NOT_FOUND', message: 'error.notFound' });
		const still = await db.selectFrom('staff').select('totp_enabled_at').where('id', '=', other.operator.id).executeTakeFirstOrThrow();
		expect(still.totp_enabled_at).toBeInstanceOf(Date);
	});
});
