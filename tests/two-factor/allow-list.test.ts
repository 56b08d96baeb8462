// 登录地址白名单: the admin lists addresses and CIDR ranges (IPv4, IPv6); a sign-in from outside
// is refused before any password is checked and logged; a session used from outside is ended at
// its next request; a list that leaves out the admin's own address needs an explicit yes. The
// request path is the real one: hooks.server.ts and the tRPC endpoint, with the client address
// the adapter would report (tests/fixtures/request-event.ts).
import type { RequestEvent } from '@sveltejs/kit';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { handle } from '../../src/hooks.server.ts';
import { GET, POST } from '../../src/routes/api/trpc/[...trpc]/+server.ts';
import { normalizeAllowEntry } from '#shared/schemas/allow-list.ts';
import { addressAllowed } from '#shared/server/auth/allow-list.ts';
import { createSession, validateSessionToken } from '#shared/server/auth/session.ts';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { callerFor, sessionOf } from '../fixtures/context.ts';
import { makeMerchant, makeRole, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { errorKey, refusal } from '../fixtures/outcome.ts';
import { requestEvent, type SetCookie } from '../fixtures/request-event.ts';
import { readAnswer } from '#shared/trpc/transformer.ts';

const db = getDb();
const OFFICE = '198.51.100.20';
const HOME = '203.0.113.45';

type Handler = (event: RequestEvent) => Promise<Response> | Response;

/** One request through hooks.server.ts and the tRPC endpoint, from `ip`. */
async function request(path: string, opts: { ip: string; jar?: Record<string, string>; body?: unknown }) {
	const setCookies: SetCookie[] = [];
	const init: RequestInit =
		opts.body === undefined
			? {}
			: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(superjson.serialize(opts.body)) };
	const event = requestEvent(`http://localhost/api/trpc/${path}`, { init, jar: opts.jar, setCookies, ip: opts.ip });
	const handler = (opts.body === undefined ? GET : POST) as Handler;
	const response = await handle({ event, resolve: async (e) => handler(e) });
	return { response, setCookies, locals: event.locals };
}

async function world() {
	const merchant = await makeMerchant(db);
	const admin = await makeStaff(db, merchant.id, { isAdmin: true, name: '管理员' });
	const operator = await makeStaff(db, merchant.id, { name: '郑十' });
	await makeRole(db, merchant.id, ['payments.read', 'settings.password'], { staffIds: [operator.id] });
	const { auth } = await sessionOf(db, admin.id, { ip: OFFICE, userAgent: 'vitest' });
	return { merchant, admin, operator, admin_: callerFor(db, auth, { ip: OFFICE }) };
}

describe('entries', () => {
	it('takes IPv4 and IPv6 addresses and ranges in one spelling, and refuses anything else', () => {
		expect(normalizeAllowEntry(' 203.0.113.7 ')).toBe('203.0.113.7');
		expect(normalizeAllowEntry('203.0.113.9/24')).toBe('203.0.113.0/24');
		expect(normalizeAllowEntry('2001:DB8:0:0::1')).toBe('2001:db8::1');
		expect(normalizeAllowEntry('2001:db8:ff::/32')).toBe('2001:db8::/32');
		expect(normalizeAllowEntry('::ffff:10.1.2.3')).toBe('10.1.2.3');
		for (const bad of ['', '10', '0x0a.0.0.1', '1.2.3.4/33', '256.1.1.1', 'fe80::1%eth0', 'localhost', '1.2.3.4/24/8'])
			expect(normalizeAllowEntry(bad), bad).toBeNull();
	});

	it('matches an address inside a range, whatever family the socket reported it in; an empty list allows all', () => {
		const list = ['198.51.100.0/24', '2001:db8::/32', '192.0.2.1'];
		expect(addressAllowed(list, '198.51.100.254')).toBe(true);
		expect(addressAllowed(list, '::ffff:198.51.100.7')).toBe(true);
		expect(addressAllowed(list, '2001:db8:1:2::9')).toBe(true);
		expect(addressAllowed(list, '192.0.2.1')).toBe(true);
		expect(addressAllowed(list, '192.0.2.2')).toBe(false);
		expect(addressAllowed(list, '198.51.101.1')).toBe(false);
		expect(addressAllowed(list, '2001:db9::1')).toBe(false);
		expect(addressAllowed(list, null)).toBe(false);
		expect(addressAllowed(list, 'not an address')).toBe(false);
		expect(addressAllowed([], null)).toBe(true);
	});
});

describe('settings.allowList', () => {
	it('saves a list in one spelling; leaving out one’s own address needs the explicit yes; audited', async () => {
		const { merchant, admin_ } = await world();
		expect(await admin_.settings.allowList.get()).toEqual({ entries: [], yourAddress: OFFICE, youAreInside: true });

		expect(await refusal(admin_.settings.allowList.save({ entries: [HOME] }))).toEqual({ code: 'CONFLICT', message: 'allowList.excludesYou' });
		const unchanged = await db.selectFrom('merchants').select('sign_in_allow_list').where('id', '=', merchant.id).executeTakeFirstOrThrow();
		expect(unchanged.sign_in_allow_list).toEqual([]);

		const saved = await admin_.settings.allowList.save({ entries: ['198.51.100.77/24', ' 198.51.100.0/24', '2001:DB8::/32'] });
		expect(saved).toEqual({ entries: ['198.51.100.0/24', '2001:db8::/32'], yourAddress: OFFICE, youAreInside: true });
		const outside = await admin_.settings.allowList.save({ entries: [HOME], confirmExcludesSelf: true });
		expect(outside).toEqual({ entries: [HOME], yourAddress: OFFICE, youAreInside: false });
		// the same list again changes nothing and writes nothing
		await admin_.settings.allowList.save({ entries: [HOME], confirmExcludesSelf: true });

		const audit = await db.selectFrom('audit_log').select(['action', 'detail']).where('merchant_id', '=', merchant.id).where('action', '=', 'allowList.update').orderBy('id').execute();
		expect(audit).toEqual([
			{ action: 'allowList.update', detail: { before: { entries: [] }, after: { entries: ['198.51.100.0/24', '2001:db8::/32'] } } },
			{ action: 'allowList.update', detail: { before: { entries: ['198.51.100.0/24', '2001:db8::/32'] }, after: { entries: [HOME] }, excludesOwnAddress: OFFICE } }
		]);
		// empty again: anywhere
		expect((await admin_.settings.allowList.save({ entries: [], confirmExcludesSelf: true })).entries).toEqual([]);
	});

	it('refuses a bad entry and more than 100; only the admin may, and only after a recent verification', async () => {
		const { merchant, operator, admin } = await world();
		const { auth } = await sessionOf(db, admin.id, { ip: OFFICE, userAgent: 'vitest' });
		const adminCaller = callerFor(db, auth, { ip: OFFICE });
		expect(await errorKey(adminCaller.settings.allowList.save({ entries: [OFFICE, '10.0.0.0/33'] }))).toBe('allowList.badEntry');
		const many = Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`);
		expect(await errorKey(adminCaller.settings.allowList.save({ entries: many, confirmExcludesSelf: true }))).toBe('allowList.tooMany');
		expect((await adminCaller.settings.allowList.save({ entries: many.slice(0, 100), confirmExcludesSelf: true })).entries).toHaveLength(100);

		const op = await sessionOf(db, operator.id);
		expect(await refusal(callerFor(db, op.auth).settings.allowList.get())).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		expect(await refusal(callerFor(db, op.auth).settings.allowList.save({ entries: [] }))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });

		const stale = { ...auth, verifiedAt: new Date(Date.now() - 6 * 60_000) };
		expect(await refusal(callerFor(db, stale, { ip: OFFICE }).settings.allowList.save({ entries: [] }))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		const row = await db.selectFrom('merchants').select('sign_in_allow_list').where('id', '=', merchant.id).executeTakeFirstOrThrow();
		expect(row.sign_in_allow_list).toHaveLength(100);
	});
});

describe('enforcement', () => {
	it('refuses a sign-in from outside before the password is checked, logs it, and says why in zh and en', async () => {
		const { merchant, operator, admin_ } = await world();
		await admin_.settings.allowList.save({ entries: ['198.51.100.0/24'] });
		const who = { merchantNo: merchant.merchant_no, phone: operator.phone };

		// right and wrong passwords are refused alike: no password was checked
		expect(await signIn(db, { ...who, password: PASSWORD }, { ip: HOME, userAgent: 'vitest' })).toEqual({ ok: false, reason: 'addressNotAllowed', address: HOME });
		expect(await signIn(db, { ...who, password: 'Wrong#Pass2026' }, { ip: HOME, userAgent: 'vitest' })).toEqual({ ok: false, reason: 'addressNotAllowed', address: HOME });
		const staff = await db.selectFrom('staff').select(['failed_attempts', 'locked_until']).where('id', '=', operator.id).executeTakeFirstOrThrow();
		expect(staff).toEqual({ failed_attempts: 0, locked_until: null });

		const zh = await request('auth.signIn', { ip: HOME, body: { ...who, password: PASSWORD } });
		expect(zh.response.status).toBe(403);
		expect(readAnswer<{ message: string }>((await zh.response.json()).error).message).toBe(`您当前的地址 ${HOME} 不在本商户的登录地址白名单内, 无法登录。请联系商户管理员。`);
		expect(zh.setCookies).toEqual([]);
		const en = await request('auth.signIn', { ip: HOME, jar: { locale: 'en' }, body: { ...who, password: PASSWORD } });
		expect(readAnswer<{ message: string }>((await en.response.json()).error).message).toBe(`Your address ${HOME} is not on this merchant’s sign-in allow-list, so you cannot sign in. Please contact your administrator.`);

		// from inside the range it goes through
		const ok = await request('auth.signIn', { ip: '198.51.100.200', body: { ...who, password: PASSWORD } });
		expect(ok.response.status).toBe(200);
		expect(ok.setCookies.find((c) => c.name === 'session')?.value).toBeTruthy();

		const log = await db.selectFrom('sign_in_log').select(['event', 'ok', 'reason', 'ip']).where('staff_id', '=', operator.id).orderBy('id').execute();
		expect(log).toEqual([
			{ event: 'signIn', ok: false, reason: 'addressNotAllowed', ip: HOME },
			{ event: 'signIn', ok: false, reason: 'addressNotAllowed', ip: HOME },
			{ event: 'signIn', ok: false, reason: 'addressNotAllowed', ip: HOME },
			{ event: 'signIn', ok: false, reason: 'addressNotAllowed', ip: HOME },
			{ event: 'signIn', ok: true, reason: null, ip: '198.51.100.200' }
		]);
		// the admin's 登录记录 names the reason
		expect((await admin_.audit.signIns({ filter: { staffId: operator.id, result: 'failed' } })).rows.map((r) => r.reason)).toEqual(Array(4).fill('addressNotAllowed'));
	});

	it('a session used from outside the list is ended at its next request; from inside it carries on', async () => {
		const { merchant, operator, admin_ } = await world();
		const inside = await createSession(db, operator.id, { ip: OFFICE, userAgent: 'vitest' });
		const travelling = await createSession(db, operator.id, { ip: HOME, userAgent: 'vitest' });
		// before any list, both work from anywhere
		expect((await request('auth.me', { ip: HOME, jar: { session: travelling.token } })).response.status).toBe(200);

		await admin_.settings.allowList.save({ entries: ['198.51.100.0/24'] });
		const refused = await request('auth.me', { ip: HOME, jar: { session: travelling.token } });
		expect(refused.locals.auth).toBeNull();
		expect(refused.response.status).toBe(401);
		expect(refused.setCookies).toEqual([{ name: 'session', value: '', opts: expect.objectContaining({ maxAge: 0 }) }]);
		// ended, not just refused: coming back inside does not revive it
		expect(await validateSessionToken(db, travelling.token)).toBeNull();
		expect((await request('auth.me', { ip: OFFICE, jar: { session: travelling.token } })).response.status).toBe(401);

		const fine = await request('auth.me', { ip: '198.51.100.9', jar: { session: inside.token } });
		expect(fine.response.status).toBe(200);
		expect(fine.locals.auth?.staff.id).toBe(operator.id);

		const log = await db.selectFrom('sign_in_log').select(['event', 'ok', 'reason', 'ip']).where('merchant_id', '=', merchant.id).where('event', '=', 'sessionEnded').execute();
		expect(log).toEqual([{ event: 'sessionEnded', ok: false, reason: 'addressNotAllowed', ip: HOME }]);
	});
});

describe('登录设备 over the request path', () => {
	it('退出 on one device signs that browser out at its next request; the other carries on', async () => {
		const { operator } = await world();
		const office = await createSession(db, operator.id, { ip: OFFICE, userAgent: 'vitest' });
		const phone = await createSession(db, operator.id, { ip: HOME, userAgent: 'vitest' });
		expect((await request('auth.me', { ip: HOME, jar: { session: phone.token } })).response.status).toBe(200);

		const ended = await request('settings.devices.end', { ip: OFFICE, jar: { session: office.token }, body: { id: phone.session.id } });
		expect(ended.response.status).toBe(200);

		const next = await request('auth.me', { ip: HOME, jar: { session: phone.token } });
		expect(next.response.status).toBe(401);
		expect(next.locals.auth).toBeNull();
		expect(next.setCookies).toEqual([{ name: 'session', value: '', opts: expect.objectContaining({ maxAge: 0 }) }]);
		expect((await request('auth.me', { ip: OFFICE, jar: { session: office.token } })).response.status).toBe(200);
	});
});
