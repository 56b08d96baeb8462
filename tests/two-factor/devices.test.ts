// 登录设备: one's own sessions with browser and OS, ending one or all others (that browser is
// signed out at its next request), the admin's view of an operator's sessions, and a password
// change ending every other session.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor, sessionOf } from '../fixtures/context.ts';
import { makeMerchant, makeRole, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { refusal } from '../fixtures/outcome.ts';
import { enrol, passwordStep } from './helpers.ts';

const db = getDb();

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

async function person() {
	const merchant = await makeMerchant(db);
	const admin = await makeStaff(db, merchant.id, { isAdmin: true });
	const staff = await makeStaff(db, merchant.id, { name: '小李' });
	await makeRole(db, merchant.id, ['settings.password', 'settings.profile'], { staffIds: [staff.id] });
	const office = await sessionOf(db, staff.id, { ip: '198.51.100.10', userAgent: CHROME_WINDOWS });
	const phone = await sessionOf(db, staff.id, { ip: '198.51.100.20', userAgent: SAFARI_IPHONE });
	return { merchant, admin, staff, office, phone };
}

describe('登录设备', () => {
	it('lists every signed-in device with browser, OS, address and times, and says which is this one', async () => {
		const { office, phone } = await person();
		const devices = await callerFor(db, office.auth).settings.devices.list();
		expect(devices.map(({ id, current, browser, os, ip }) => ({ id, current, browser, os, ip })).sort((a, b) => a.ip!.localeCompare(b.ip!))).toEqual([
			{ id: office.auth.sessionId, current: true, browser: 'Chrome 120', os: 'Windows 10', ip: '198.51.100.10' },
			{ id: phone.auth.sessionId, current: false, browser: 'Safari 17', os: 'iOS 17.1', ip: '198.51.100.20' }
		]);
		for (const d of devices) {
			expect(d.signedInAt).toBeInstanceOf(Date);
			expect(d.lastSeenAt).toBeInstanceOf(Date);
		}
	});

	it('退出 on another device signs that browser out at its next request; the audit log says so', async () => {
		const { staff, office, phone } = await person();
		expect(await callerFor(db, office.auth).settings.devices.end({ id: phone.auth.sessionId })).toEqual({ ok: true });
		expect(await validateSessionToken(db, phone.token)).toBeNull();
		expect(await validateSessionToken(db, office.token)).not.toBeNull();
		const audit = await db.selectFrom('audit_log').select(['action', 'detail']).where('staff_id', '=', staff.id).execute();
		expect(audit).toEqual([{ action: 'sessions.end', detail: { count: 1 } }]);
		// gone already, and this device itself is ended with 退出, not here
		expect(await refusal(callerFor(db, office.auth).settings.devices.end({ id: phone.auth.sessionId }))).toEqual({ code: 'NOT_FOUND', message: 'devices.notFound' });
		expect(await refusal(callerFor(db, office.auth).settings.devices.end({ id: office.auth.sessionId }))).toEqual({ code: 'NOT_FOUND', message: 'devices.notFound' });
	});

	it("someone else's session cannot be named", async () => {
		const a = await person();
		const b = await person();
		expect(await refusal(callerFor(db, a.office.auth).settings.devices.end({ id: b.phone.auth.sessionId }))).toEqual({ code: 'NOT_FOUND', message: 'devices.notFound' });
		expect(await validateSessionToken(db, b.phone.token)).not.toBeNull();
		expect((await callerFor(db, a.office.auth).settings.devices.list()).map((d) => d.id)).not.toContain(b.phone.auth.sessionId);
	});

	it('退出其他设备 keeps only this one', async () => {
		const { staff, office, phone } = await person();
		const third = await sessionOf(db, staff.id);
		expect(await callerFor(db, office.auth).settings.devices.endOthers()).toEqual({ ended: 2 });
		expect(await validateSessionToken(db, phone.token)).toBeNull();
		expect(await validateSessionToken(db, third.token)).toBeNull();
		expect((await callerFor(db, office.auth).settings.devices.list()).map((d) => d.id)).toEqual([office.auth.sessionId]);
	});

	it('a half sign-in (code still to come) is no device', async () => {
		const { merchant, staff } = await person();
		await enrol(db, staff.id);
		await passwordStep(db, { merchantNo: merchant.merchant_no, phone: staff.phone });
		// (enrolling ended the office session: the enrolment's own session is the one left)
		const sessions = await db.selectFrom('sessions').select('id').where('staff_id', '=', staff.id).where('second_factor_pending', '=', false).execute();
		const mine = (await validateSessionToken(db, (await sessionOf(db, staff.id)).token))!.auth;
		const list = await callerFor(db, mine).settings.devices.list();
		expect(list).toHaveLength(sessions.length + 1);
		const half = await db.selectFrom('sessions').select('id').where('staff_id', '=', staff.id).where('second_factor_pending', '=', true).execute();
		expect(half).toHaveLength(1);
		expect(list.map((d) => d.id)).not.toContain(half[0].id);
	});

	it('a password change ends every other session', async () => {
		const { office, phone } = await person();
		await callerFor(db, office.auth).settings.changePassword({ oldPassword: PASSWORD, newPassword: 'Brand#New2026x', confirmPassword: 'Brand#New2026x' });
		expect(await validateSessionToken(db, phone.token)).toBeNull();
		expect(await validateSessionToken(db, office.token)).not.toBeNull();
	});
});

describe("the admin and an operator's sessions", () => {
	it('sees them and ends them all, audited', async () => {
		const { admin, staff, office, phone } = await person();
		const { auth } = await sessionOf(db, admin.id);
		const seen = await callerFor(db, auth).operators.sessions({ id: staff.id });
		expect(seen.map((d) => d.id).sort()).toEqual([office.auth.sessionId, phone.auth.sessionId].sort());
		expect(seen.every((d) => !d.current)).toBe(true);
		expect(await callerFor(db, auth).operators.endSessions({ id: staff.id })).toEqual({ ended: 2 });
		expect(await validateSessionToken(db, office.token)).toBeNull();
		expect(await validateSessionToken(db, phone.token)).toBeNull();
		const audit = await db.selectFrom('audit_log').select(['action', 'staff_id', 'target_id', 'detail']).where('action', '=', 'operators.endSessions').execute();
		expect(audit).toEqual([{ action: 'operators.endSessions', staff_id: admin.id, target_id: String(staff.id), detail: { name: '小李', sessionsEnded: 2 } }]);
	});

	it("another merchant's operator reads as not found", async () => {
		const a = await person();
		const b = await person();
		const { auth } = await sessionOf(db, a.admin.id);
		expect(await refusal(callerFor(db, auth).operators.sessions({ id: b.staff.id }))).toEqual({ code: 'NOT_FOUND', message: 'error.notFound' });
		expect(await refusal(callerFor(db, auth).operators.endSessions({ id: b.staff.id }))).toEqual({ code: 'NOT_FOUND', message: 'error.notFound' });
		expect(await validateSessionToken(db, b.office.token)).not.toBeNull();
	});
});
