// 设置 → 登录记录 and new-device alerts: a completed sign-in from a device AND an address the person
// has not used in 90 days gets one SMS and a 'newDeviceAlert' row; the first sign-in of an
// account, a known device or a known address get none. Each person sees their own history.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '#db';
import { completeSecondFactorSignIn } from '#shared/server/auth/second-factor-sign-in.ts';
import { resolveSession, validateSessionToken } from '#shared/server/auth/session.ts';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { settleSmsDeliveries } from '#shared/server/sms/index.ts';
import { callerFor } from '../fixtures/context.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { outcome } from '../fixtures/outcome.ts';
import { enrol, totpCode } from './helpers.ts';

const db = getDb();

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const CHROME_WINDOWS_NEWER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

// The outbox sender writes one line per message; the test reads the outbox instead.
beforeEach(() => void vi.spyOn(console, 'info').mockImplementation(() => {}));
afterEach(async () => {
	await settleSmsDeliveries();
	vi.restoreAllMocks();
});

async function person() {
	const merchant = await makeMerchant(db);
	const staff = await makeStaff(db, merchant.id, { name: '周八', phone: '13987654321', mustChangePassword: true });
	return { merchant, staff, who: { merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD } };
}

const alerts = (staffId: bigint) =>
	db
		.selectFrom('sms_outbox as o')
		.innerJoin('staff as s', (j) => j.onRef('s.phone', '=', 'o.phone').onRef('s.merchant_id', '=', 'o.merchant_id'))
		.select(['o.phone', 'o.body', 'o.purpose'])
		.where('s.id', '=', staffId)
		.where('o.purpose', '=', 'NEW_DEVICE_SIGN_IN')
		.orderBy('o.id')
		.execute();

const alertRows = (staffId: bigint) =>
	db.selectFrom('sign_in_log').select(['event', 'ok', 'reason', 'ip', 'user_agent']).where('staff_id', '=', staffId).where('event', '=', 'newDeviceAlert').orderBy('id').execute();

async function signInOk(who: { merchantNo: string; phone: string; password: string }, ip: string, userAgent: string) {
	const r = await signIn(db, who, { ip, userAgent });
	expect(r.ok).toBe(true);
	return r;
}

describe('new-device alerts', () => {
	it('the first sign-in of an account (its initial password) raises nothing; the same device and address again raise nothing', async () => {
		const { staff, who } = await person();
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS);
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS);
		// a browser update is the same device
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS_NEWER);
		expect(await alerts(staff.id)).toEqual([]);
		expect(await alertRows(staff.id)).toEqual([]);
	});

	it('a new device from a new address gets one SMS (no secret in it) and a row in the sign-in log', async () => {
		const { staff, who, merchant } = await person();
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS);
		await signInOk(who, '203.0.113.99', SAFARI_MAC);

		const sms = await alerts(staff.id);
		expect(sms).toHaveLength(1);
		expect(sms[0].phone).toBe('13987654321');
		expect(sms[0].body).toContain('周八');
		expect(sms[0].body).toContain(merchant.merchant_no);
		expect(sms[0].body).toContain('Safari / macOS');
		expect(sms[0].body).toContain('203.0.113.99');
		expect(sms[0].body).toContain('新设备');
		expect(sms[0].body).not.toContain(PASSWORD);
		expect(await alertRows(staff.id)).toEqual([{ event: 'newDeviceAlert', ok: true, reason: 'smsSent', ip: '203.0.113.99', user_agent: SAFARI_MAC }]);

		// now that device and address are known
		await signInOk(who, '203.0.113.99', SAFARI_MAC);
		expect(await alerts(staff.id)).toHaveLength(1);
	});

	it('a known device on a new network, or a new browser at a known address, raises nothing', async () => {
		const { staff, who } = await person();
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS);
		await signInOk(who, '192.0.2.44', CHROME_WINDOWS);
		await signInOk(who, '198.51.100.10', FIREFOX_LINUX);
		expect(await alerts(staff.id)).toEqual([]);
	});

	it('what was seen more than 90 days ago is new again; failed attempts prove no device', async () => {
		const { staff, who } = await person();
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS);
		await db
			.updateTable('sign_in_log')
			.set({ created_at: new Date(Date.now() - 91 * 86_400_000) })
			.where('staff_id', '=', staff.id)
			.execute();
		// a wrong password from the new place does not make it known
		expect((await signIn(db, { ...who, password: 'Wrong#Pass2026' }, { ip: '198.51.100.77', userAgent: FIREFOX_LINUX })).ok).toBe(false);
		await signInOk(who, '198.51.100.77', FIREFOX_LINUX);
		expect(await alerts(staff.id)).toHaveLength(1);
	});

	it('with two-factor the alert follows the code, not the password', async () => {
		const { staff, who } = await person();
		await db.updateTable('staff').set({ must_change_password: false }).where('id', '=', staff.id).execute();
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS);
		const { secret } = await enrol(db, staff.id);

		const half = await signInOk(who, '203.0.113.50', SAFARI_MAC);
		expect(half.ok && half.secondFactorPending).toBe(true);
		expect(await alerts(staff.id)).toEqual([]);
		const pending = await resolveSession(db, half.ok ? half.token : '');
		expect(pending?.kind).toBe('pending');
		if (pending?.kind !== 'pending') throw new Error('no half session');
		const done = await completeSecondFactorSignIn(db, pending.pending, totpCode(secret, 1), { ip: '203.0.113.50', userAgent: SAFARI_MAC });
		expect(done.ok).toBe(true);
		expect(await alerts(staff.id)).toHaveLength(1);
	});
});

describe('设置 → 登录记录', () => {
	it('shows one’s own sign-ins, alerts and failures with device and address, filtered like the admin’s, and nobody else’s', async () => {
		const { staff, who, merchant } = await person();
		const colleague = await makeStaff(db, merchant.id, { name: '吴九' });
		await signInOk(who, '198.51.100.10', CHROME_WINDOWS);
		expect((await signIn(db, { ...who, password: 'Wrong#Pass2026' }, { ip: '203.0.113.99', userAgent: SAFARI_MAC })).ok).toBe(false);
		const last = await signInOk(who, '203.0.113.99', SAFARI_MAC);
		await signInOk({ merchantNo: merchant.merchant_no, phone: colleague.phone, password: PASSWORD }, '198.51.100.10', CHROME_WINDOWS);

		const auth = (await validateSessionToken(db, last.ok ? last.token : ''))!.auth;
		const mine = callerFor(db, { ...auth, staff: { ...auth.staff, mustChangePassword: false } });
		const page = await mine.settings.signIns({});
		expect(page.rows.map((r) => [r.event, r.ok, r.reason, r.ip, r.device])).toEqual([
			['newDeviceAlert', true, 'smsSent', '203.0.113.99', 'Safari 17 · macOS Sonoma'],
			['signIn', true, null, '203.0.113.99', 'Safari 17 · macOS Sonoma'],
			['signIn', false, 'badPassword', '203.0.113.99', 'Safari 17 · macOS Sonoma'],
			['signIn', true, null, '198.51.100.10', 'Chrome 130 · Windows 10']
		]);
		expect(page.total).toEqual({ count: 4n, amount: null, capped: false });
		expect((await mine.settings.signIns({ filter: { result: 'failed' } })).rows.map((r) => r.reason)).toEqual(['badPassword']);
		expect((await mine.settings.signIns({ filter: { event: 'newDeviceAlert' } })).rows).toHaveLength(1);
		expect((await mine.settings.signIns({ pageSize: 10, page: 2 })).rows).toEqual([]);
		// the person cannot be chosen: the filter has no such field, and another's id is ignored
		const asked = await mine.settings.signIns({ filter: { staffId: colleague.id } as never });
		expect(asked.rows.every((r) => r.staffId === staff.id)).toBe(true);
		expect(await outcome(mine.settings.signIns({ filter: { from: '2026-03-03', to: '2026-03-01' } }))).toEqual({ code: 'BAD_REQUEST', message: 'audit.rangeInverted' });
		expect(await outcome(callerFor(db, null).settings.signIns({}))).toEqual({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
	});
});
