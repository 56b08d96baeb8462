// 找回密码 end to end through the public password router: the code works once, expires, survives
// only 5 wrong tries, has a cool-down and rate limits, and an unknown phone cannot be told apart.
import { beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { createSession, validateSessionToken } from '#shared/server/auth/session.ts';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { outboxText, settleSmsDeliveries } from '#shared/server/sms/index.ts';
import { callerFor } from '../fixtures/context.ts';
import { makeMerchant, makeStaff, PASSWORD, randomPhone } from '../fixtures/merchant.ts';
import { refusal as err } from '../fixtures/outcome.ts';

const db = getDb();
const NEW = 'Fresh2026word';
let ipSeq = 0;

/** A caller from its own IP, so tests do not share the per-IP limit unless they mean to. */
function callerFrom(ip = `198.51.100.${++ipSeq}`) {
	return callerFor(db, null, { ip });
}

async function account(opts: Parameters<typeof makeStaff>[2] = {}) {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, { ...opts });
	return { merchant, staff, merchantNo: merchant.merchant_no, phone: staff.phone };
}

async function lastCode(phone: string): Promise<string> {
	await settleSmsDeliveries();
	const row = await db.selectFrom('sms_outbox').selectAll().where('phone', '=', phone).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
	// The stored row never holds the code; the whole text is kept encrypted for a few minutes.
	expect(row.body).toContain('验证码 ******,');
	return /验证码 ([0-9]{6})/.exec(outboxText(row))![1]!;
}

beforeEach(() => {
	delete process.env.RESET_COOLDOWN_SECONDS;
});

describe('forgot password', () => {
	it('sends a 6-digit code that sets the password once, clears the lock and ends every session', async () => {
		const { merchantNo, phone, staff } = await account();
		await db.updateTable('staff').set({ failed_attempts: 3, locked_until: new Date(Date.now() + 600_000) }).where('id', '=', staff.id).execute();
		const { token } = await createSession(db, staff.id, { ip: null, userAgent: null });

		const caller = callerFrom();
		expect(await caller.password.requestCode({ merchantNo, phone })).toEqual({ cooldownSeconds: 60, ttlMinutes: 5 });
		const code = await lastCode(phone);
		const stored = await db.selectFrom('sms_codes').selectAll().where('phone', '=', phone).executeTakeFirstOrThrow();
		expect(stored.code_hash).not.toContain(code);
		expect(stored.expires_at.getTime() - stored.created_at.getTime()).toBeGreaterThan(4.9 * 60_000);
		expect(stored.expires_at.getTime() - stored.created_at.getTime()).toBeLessThanOrEqual(5 * 60_000 + 1000);

		expect(await caller.password.reset({ merchantNo, phone, code, newPassword: NEW, confirmPassword: NEW })).toEqual({ ok: true });
		const after = await db.selectFrom('staff').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow();
		expect(after).toMatchObject({ failed_attempts: 0, locked_until: null, must_change_password: false });
		expect(after.password_changed_at).toBeInstanceOf(Date);
		expect(await validateSessionToken(db, token)).toBeNull();
		expect((await signIn(db, { merchantNo, phone, password: NEW }, { ip: null, userAgent: null })).ok).toBe(true);
		expect((await signIn(db, { merchantNo, phone, password: PASSWORD }, { ip: null, userAgent: null })).ok).toBe(false);
		const actions = (await db.selectFrom('audit_log').select('action').where('staff_id', '=', staff.id).execute()).map((r) => r.action);
		expect(actions).toEqual(['password.reset']);
		// The unauthenticated steps go to the sign-in log, which the admin sees and the upkeep prunes.
		const steps = await db.selectFrom('sign_in_log').select(['event', 'ok', 'reason']).where('staff_id', '=', staff.id).orderBy('id').execute();
		expect(steps.filter((r) => r.event !== 'signIn')).toEqual([
			{ event: 'resetCodeRequest', ok: true, reason: 'sent' },
			{ event: 'reset', ok: true, reason: null }
		]);

		// The same code again: refused.
		const again = await err(caller.password.reset({ merchantNo, phone, code, newPassword: 'Other2026word', confirmPassword: 'Other2026word' }));
		expect(again).toEqual({ code: 'BAD_REQUEST', message: 'password.forgot.codeInvalid' });
	});

	it('refuses an expired code', async () => {
		const { merchantNo, phone } = await account();
		await callerFrom().password.requestCode({ merchantNo, phone });
		const code = await lastCode(phone);
		await db.updateTable('sms_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('phone', '=', phone).execute();
		expect(await err(callerFrom().password.reset({ merchantNo, phone, code, newPassword: NEW, confirmPassword: NEW }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'password.forgot.codeInvalid'
		});
		expect((await signIn(db, { merchantNo, phone, password: PASSWORD }, { ip: null, userAgent: null })).ok).toBe(true);
	});

	it('after 5 wrong tries the right code is refused too', async () => {
		const { merchantNo, phone } = await account();
		const caller = callerFrom();
		await caller.password.requestCode({ merchantNo, phone });
		const code = await lastCode(phone);
		const wrong = code === '000000' ? '000001' : '000000';
		for (let i = 0; i < 5; i++)
			expect((await err(caller.password.reset({ merchantNo, phone, code: wrong, newPassword: NEW, confirmPassword: NEW }))).message).toBe(
				'password.forgot.codeInvalid'
			);
		expect((await db.selectFrom('sms_codes').select('attempts').where('phone', '=', phone).executeTakeFirstOrThrow()).attempts).toBe(5);
		expect(await err(caller.password.reset({ merchantNo, phone, code, newPassword: NEW, confirmPassword: NEW }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'password.forgot.codeInvalid'
		});
		expect((await signIn(db, { merchantNo, phone, password: NEW }, { ip: null, userAgent: null })).ok).toBe(false);
	});

	it('a code works exactly once even when two resets race', async () => {
		const { merchantNo, phone } = await account();
		await callerFrom().password.requestCode({ merchantNo, phone });
		const code = await lastCode(phone);
		const results = await Promise.allSettled([
			callerFrom().password.reset({ merchantNo, phone, code, newPassword: 'RaceOne2026', confirmPassword: 'RaceOne2026' }),
			callerFrom().password.reset({ merchantNo, phone, code, newPassword: 'RaceTwo2026', confirmPassword: 'RaceTwo2026' })
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
	});

	it('a resend retires the earlier code', async () => {
		process.env.RESET_COOLDOWN_SECONDS = '1';
		const { merchantNo, phone } = await account();
		const caller = callerFrom();
		await caller.password.requestCode({ merchantNo, phone });
		const first = await lastCode(phone);
		let second = first;
		// Codes are random: one resend in a million draws the same one, which could not show the retirement.
		while (second === first) {
			await db.updateTable('password_reset_requests').set({ created_at: new Date(Date.now() - 5000) }).where('phone', '=', phone).execute();
			await caller.password.requestCode({ merchantNo, phone });
			second = await lastCode(phone);
		}
		expect((await err(caller.password.reset({ merchantNo, phone, code: first, newPassword: NEW, confirmPassword: NEW }))).message).toBe(
			'password.forgot.codeInvalid'
		);
		expect(await caller.password.reset({ merchantNo, phone, code: second, newPassword: NEW, confirmPassword: NEW })).toEqual({ ok: true });
	});

	it('refuses the current password as the new one, without using up the code', async () => {
		const { merchantNo, phone } = await account();
		const caller = callerFrom();
		await caller.password.requestCode({ merchantNo, phone });
		const code = await lastCode(phone);
		expect(await err(caller.password.reset({ merchantNo, phone, code, newPassword: PASSWORD.replace('#', 'x'), confirmPassword: 'nope' }))).toMatchObject({
			code: 'BAD_REQUEST'
		});
		// PASSWORD has letters and digits, so it passes the pure rules and reaches the "not the old one" check.
		expect(await err(caller.password.reset({ merchantNo, phone, code, newPassword: PASSWORD, confirmPassword: PASSWORD }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'password.rule.notOld'
		});
		expect(await caller.password.reset({ merchantNo, phone, code, newPassword: NEW, confirmPassword: NEW })).toEqual({ ok: true });
	});

	it('has a 60 s cool-down per phone', async () => {
		const { merchantNo, phone } = await account();
		const caller = callerFrom();
		await caller.password.requestCode({ merchantNo, phone });
		const refused = await err(caller.password.requestCode({ merchantNo, phone }));
		expect(refused.code).toBe('TOO_MANY_REQUESTS');
		expect(refused.message).toBe('password.forgot.tooSoon');
		expect(await db.selectFrom('sms_outbox').select('id').where('phone', '=', phone).execute()).toHaveLength(1);
	});

	it('allows 5 codes per phone per hour', async () => {
		const { merchantNo, phone } = await account();
		for (let i = 0; i < 5; i++) {
			await callerFrom().password.requestCode({ merchantNo, phone });
			// Step past the cool-down without waiting a minute.
			await db.updateTable('password_reset_requests').set({ created_at: new Date(Date.now() - 61_000 * (6 - i)) }).where('phone', '=', phone).where('created_at', '>', new Date(Date.now() - 5000)).execute();
		}
		expect(await err(callerFrom().password.requestCode({ merchantNo, phone }))).toEqual({
			code: 'TOO_MANY_REQUESTS',
			message: 'password.forgot.rateLimited'
		});
		expect(await db.selectFrom('sms_outbox').select('id').where('phone', '=', phone).execute()).toHaveLength(5);
	});

	it('allows 20 requests per IP per hour', async () => {
		const { merchantNo } = await account();
		const ip = '192.0.2.77';
		for (let i = 0; i < 20; i++) await callerFrom(ip).password.requestCode({ merchantNo, phone: randomPhone() });
		expect(await err(callerFrom(ip).password.requestCode({ merchantNo, phone: randomPhone() }))).toEqual({
			code: 'TOO_MANY_REQUESTS',
			message: 'password.forgot.rateLimited'
		});
		// Another address is not affected.
		await callerFrom('192.0.2.78').password.requestCode({ merchantNo, phone: randomPhone() });
	});

	it('an unknown phone or merchant gets the identical answer and no SMS, and the same limits', async () => {
		const { merchantNo, phone } = await account();
		const unknownPhone = randomPhone();
		const known = await callerFrom().password.requestCode({ merchantNo, phone });
		const unknown = await callerFrom().password.requestCode({ merchantNo, phone: unknownPhone });
		const unknownMerchant = await callerFrom().password.requestCode({ merchantNo: '9999999999999999', phone });
		expect(unknown).toEqual(known);
		expect(unknownMerchant).toEqual(known);
		await settleSmsDeliveries();
		expect(await db.selectFrom('sms_outbox').select('id').where('phone', '=', unknownPhone).execute()).toHaveLength(0);
		expect(await db.selectFrom('sms_outbox').select('id').where('phone', '=', phone).execute()).toHaveLength(1);
		// The cool-down answers alike too.
		expect(await err(callerFrom().password.requestCode({ merchantNo, phone: unknownPhone }))).toEqual(
			await err(callerFrom().password.requestCode({ merchantNo, phone }))
		);
		// A code for an unknown phone is refused like a wrong one.
		expect(await err(callerFrom().password.reset({ merchantNo, phone: unknownPhone, code: '123456', newPassword: NEW, confirmPassword: NEW }))).toEqual({
			code: 'BAD_REQUEST',
			message: 'password.forgot.codeInvalid'
		});
	});

	it('answers a known and an unknown phone no sooner than the 300 ms floor', async () => {
		// The floor covers the real account's extra work, so answer times cannot tell which phones
		// exist. Only the floor is asserted: it holds under any load, a comparison of times does not.
		const { merchant } = await account();
		const took: number[] = [];
		for (let i = 0; i < 3; i++) {
			const s = await makeStaff(db, merchant.id);
			for (const phone of [s.phone, randomPhone()]) {
				const t = performance.now();
				await callerFrom().password.requestCode({ merchantNo: merchant.merchant_no, phone });
				took.push(performance.now() - t);
			}
		}
		// 1 ms below: a timer may fire up to a millisecond early.
		expect(Math.min(...took)).toBeGreaterThanOrEqual(299);
	});

	it('sends nothing to a disabled account', async () => {
		const { merchantNo, phone } = await account({ status: 'DISABLED' });
		await callerFrom().password.requestCode({ merchantNo, phone });
		await settleSmsDeliveries();
		expect(await db.selectFrom('sms_outbox').select('id').where('phone', '=', phone).execute()).toHaveLength(0);
	});
});
