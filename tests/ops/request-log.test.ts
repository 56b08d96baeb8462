// One JSON line per request, with what an operator needs to follow it and nothing secret.
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { captureLogs, logger, maskPersonal } from '#shared/server/log.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { trpcMutation, trpcQuery } from './http.ts';

const db = getDb();

/** Runs fn with the logger captured at info (as production logs) and returns what it logged. */
async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[]; text: string }> {
	const capture = captureLogs('info');
	try {
		const result = await fn();
		return { result, lines: capture.entries(), text: capture.text() };
	} finally {
		capture.stop();
	}
}

describe('the request log', () => {
	it('signing in and reading auth.me log one line each, naming the request, procedure, merchant, staff, status and duration, never the password, token or phone', async () => {
		const merchant = await makeMerchant(db, { name: '日志测试商户' });
		const staff = await makeStaff(db, merchant.id, { name: '钱七' });

		const signIn = await logged(() => trpcMutation('auth.signIn', { merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD }));
		expect(signIn.result.response.status).toBe(200);
		const token = signIn.result.cookies.find((c) => c.name === 'session')!.value;
		expect(token.length).toBeGreaterThan(10);
		expect(signIn.lines).toHaveLength(1);
		const requestId = signIn.result.response.headers.get('x-request-id')!;
		expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
		expect(signIn.lines[0]).toMatchObject({
			level: 'info',
			requestId,
			method: 'POST',
			route: '/api/trpc/[...trpc]',
			path: '/api/trpc/auth.signIn',
			trpc: 'auth.signIn',
			// Nobody was signed in when the request arrived.
			merchantId: null,
			staffId: null,
			status: 200,
			msg: 'POST /api/trpc/[...trpc] 200'
		});
		expect(signIn.lines[0].durationMs).toEqual(expect.any(Number));
		expect(Date.parse(String(signIn.lines[0].time))).not.toBeNaN();

		const me = await logged(() => trpcQuery('auth.me', { session: token }, { 'x-request-id': 'lb-7f3a.42' }));
		expect(me.result.response.status).toBe(200);
		// A proxy's request id is kept, so its log and ours line up.
		expect(me.result.response.headers.get('x-request-id')).toBe('lb-7f3a.42');
		expect(me.lines).toEqual([
			expect.objectContaining({ requestId: 'lb-7f3a.42', trpc: 'auth.me', merchantId: String(merchant.id), staffId: String(staff.id), status: 200 })
		]);

		for (const text of [signIn.text, me.text]) {
			expect(text).not.toContain(PASSWORD);
			expect(text).not.toContain(token);
			expect(text).not.toContain(staff.phone);
		}
	});

	it('a failed sign-in is one line with its status, and a request id a client made up with odd characters is replaced', async () => {
		const merchant = await makeMerchant(db);
		const staff = await makeStaff(db, merchant.id);
		const r = await logged(() =>
			trpcMutation('auth.signIn', { merchantNo: merchant.merchant_no, phone: staff.phone, password: 'Wrong#Pass1' }, { 'x-request-id': 'x", "level": "fatal' })
		);
		expect(r.result.response.status).toBe(401);
		const id = r.result.response.headers.get('x-request-id')!;
		expect(id).toMatch(/^[0-9a-f-]{36}$/);
		expect(r.lines).toEqual([expect.objectContaining({ level: 'info', requestId: id, trpc: 'auth.signIn', status: 401 })]);
		expect(r.text).not.toContain('Wrong#Pass1');
		expect(r.text).not.toContain(staff.phone);
	});

	it('fields named like secrets are censored and personal numbers masked wherever they appear', () => {
		const capture = captureLogs('info');
		try {
			const err = new Error('insert failed for 13912345678, id 110105199003071234, card 6222021234567890128');
			const input = { password: 'p@ss', newPassword: 'n3w', headers: { cookie: 'session=abc', authorization: 'Bearer xyz' }, smsCode: '123456', merchantNo: '2018062800003003' };
			// Logged the way a careless handler might: the whole input and the error.
			logger.error({ input, err }, 'failed for 13912345678');
			const [line] = capture.entries();
			expect(line.input).toEqual({
				password: '[redacted]',
				newPassword: '[redacted]',
				headers: { cookie: '[redacted]', authorization: '[redacted]' },
				smsCode: '[redacted]',
				merchantNo: '2018062800003003'
			});
			expect(line.msg).toBe('failed for 139****5678');
			expect((line.err as { message: string }).message).toBe('insert failed for 139****5678, id 1101**********1234, card 622202*********0128');
			expect(capture.text()).not.toMatch(/13912345678|110105199003071234|6222021234567890128|p@ss|abc|xyz/);
		} finally {
			capture.stop();
		}
	});

	it('masks only what looks personal: ids, amounts and merchant numbers stay readable', () => {
		expect(maskPersonal('merchant 2018062800003003 order 20261205123456789 amount 1380000000')).toBe(
			'merchant 2018062800003003 order 20261205123456789 amount 1380000000'
		);
	});
});
