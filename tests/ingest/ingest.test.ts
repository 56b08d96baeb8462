import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, getDb } from '#db';
import { makeMerchant } from '../fixtures/merchant.ts';
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';
import { checkInvariants, openMerchantAccounts } from '#shared/server/ledger/index.ts';
import { handleIngest } from '#shared/server/ingest/handle.ts';
import { ingestPath, ingestSecret, sign, signatureHeaders, verifySignature } from '#shared/server/ingest/signature.ts';
import { POST } from '../../src/routes/api/ingest/v1/[kind]/+server.ts';

const db = getDb();
const A = '2030010100000001';
const B = '2030010100000002';
let seq = 0;
const no = () => `T${Date.now()}${String(++seq).padStart(4, '0')}`;

/** Headers signed for a POST of `raw` to the kind's path. */
const headersFor = (kind: string, raw: string, at = new Date(), secret = ingestSecret()) =>
	new Headers(signatureHeaders(secret, { method: 'POST', path: ingestPath(kind), body: raw }, at));

function signed(kind: string, body: unknown, at = new Date(), secret = ingestSecret()) {
	const raw = JSON.stringify(body);
	return { raw, headers: headersFor(kind, raw, at, secret) };
}

const post = (kind: string, raw: string, headers: Headers) => handleIngest(db, { method: 'POST', kind, body: raw, headers });

async function call(kind: string, body: Record<string, unknown>, at?: Date) {
	const { raw, headers } = signed(kind, body, at);
	return post(kind, raw, headers);
}

async function counts() {
	const r = await sql<{ n: string }>`SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM payments) * 1000
		+ (SELECT count(*) FROM fund_flows) * 1000000 + (SELECT count(*) FROM withdrawals) * 1000000000 AS n`.execute(db);
	return r.rows[0].n;
}

const user = (userNo: string, extra: Record<string, unknown> = {}) => ({
	merchant_no: A,
	user_no: userNo,
	user_type: 'INNERUSER',
	name: '张三',
	phone: '13912345678',
	id_type: 'ID_CARD',
	id_no: '11010119900307663X',
	...extra
});

const topup = (userNo: string, amount: unknown, extra: Record<string, unknown> = {}) => ({
	merchant_no: A,
	platform_txn_no: no(),
	merchant_order_no: no(),
	txn_type: 'USER_TOPUP',
	status: 'TRADE_SUCCESS',
	amount,
	pay_method: 'WECHAT_APP',
	user_no: userNo,
	...extra
});

beforeAll(async () => {
	for (const m of [A, B]) {
		const { id } = await makeMerchant(db, { merchantNo: m, name: `商户${m.slice(-1)}` });
		await openMerchantAccounts(db, id);
	}
});

afterAll(async () => {
	expect(await checkInvariants(db)).toEqual([]);
});

describe('signature', () => {
	it('verifies in constant time and rejects tampering, old timestamps and junk', () => {
		const now = new Date();
		const ts = String(Math.floor(now.getTime() / 1000));
		const req = { method: 'POST', path: '/api/ingest/v1/users', body: '{"a":1}' };
		const sig = sign('s3cret', req, ts);
		expect(verifySignature('s3cret', req, ts, sig, now)).toEqual({ ok: true });
		expect(verifySignature('s3cret', { ...req, body: '{"a":2}' }, ts, sig, now)).toEqual({ ok: false, reason: 'mismatch' });
		expect(verifySignature('s3cret', { ...req, path: '/api/ingest/v1/payments' }, ts, sig, now)).toEqual({ ok: false, reason: 'mismatch' });
		expect(verifySignature('s3cret', { ...req, method: 'PUT' }, ts, sig, now)).toEqual({ ok: false, reason: 'mismatch' });
		expect(verifySignature('other', req, ts, sig, now)).toEqual({ ok: false, reason: 'mismatch' });
		expect(verifySignature('s3cret', req, ts, sig, new Date(now.getTime() + 301_000))).toEqual({ ok: false, reason: 'expired' });
		expect(verifySignature('s3cret', req, ts, 'zz', now)).toEqual({ ok: false, reason: 'mismatch' });
		expect(verifySignature('s3cret', req, null, sig, now)).toEqual({ ok: false, reason: 'missing' });
	});

	it('signs the documented string: method, path, timestamp and body on their own lines', () => {
		const body = '{"merchant_no":"2018062800003003"}';
		const expected = createHmac('sha256', 's3cret').update(`POST\n/api/ingest/v1/users\n1767225600\n${body}`).digest('hex');
		expect(sign('s3cret', { method: 'post', path: '/api/ingest/v1/users', body }, 1767225600)).toBe(expected);
	});
});

describe('POST /api/ingest/v1/<kind>', () => {
	it('answers 503 UNAVAILABLE (retry later), not 500, while Postgres does not answer', async () => {
		// Nothing listens on port 1: every query fails to connect, as during a Postgres restart.
		const down = createDb('postgres://postgres@127.0.0.1:1/none', 1);
		try {
			const { raw, headers } = signed('users', user('DOWN-1'));
			const r = await handleIngest(down, { method: 'POST', kind: 'users', body: raw, headers });
			expect(r).toMatchObject({ status: 503, body: { ok: false, code: 'UNAVAILABLE', message: '服务暂时不可用, 请稍后再试' } });
		} finally {
			await down.destroy();
		}
	});

	it('accepts a signed new user, and a replay answers created: false with the same id', async () => {
		const first = await call('users', user('U1001'));
		expect(first).toMatchObject({ status: 200, body: { ok: true, created: true } });
		const again = await call('users', user('U1001'));
		expect(again).toMatchObject({ status: 200, body: { ok: true, created: false } });
		expect(again.body).toMatchObject({ id: (first.body as { id: string }).id });
		const accounts = await db.selectFrom('accounts').select('sub_type').where('account_no', 'like', `${A}-USEROWN-U1001-%`).execute();
		expect(accounts).toHaveLength(2);
		const card = await call('cards', { merchant_no: A, user_no: 'U1001', card_no: '6222021234567890128', card_type: 'DEBIT', bank_name: '工商银行', reserved_phone: '13912345678' });
		expect(card).toMatchObject({ status: 200, body: { created: true } });
	});

	it('refuses a bad, missing or expired signature with 401 and writes nothing', async () => {
		const before = await counts();
		const body = user('U2001');
		const raw = JSON.stringify(body);
		const forged = headersFor('users', raw, new Date(), 'not-the-secret');
		expect((await post('users', raw, forged)).status).toBe(401);
		const old = headersFor('users', raw, new Date(Date.now() - 301_000));
		const expired = await post('users', raw, old);
		expect(expired).toMatchObject({ status: 401, body: { ok: false, code: 'SIGNATURE_EXPIRED' } });
		expect((await post('users', raw, new Headers())).status).toBe(401);
		// signed for one body, sent with another
		const tampered = signed('users', body);
		expect((await post('users', tampered.raw.replace('张三', '李四'), tampered.headers)).status).toBe(401);
		expect(await counts()).toBe(before);
	});

	it('posts a payment through the ledger once, however often it is replayed', async () => {
		await call('users', user('U3001'));
		const body = topup('U3001', '12345');
		const first = await call('payments', body);
		expect(first).toMatchObject({ status: 200, body: { created: true } });
		const flows = await counts();
		for (let i = 0; i < 3; i++) expect(await call('payments', body)).toMatchObject({ status: 200, body: { created: false } });
		expect(await counts()).toBe(flows);
		const bal = await db.selectFrom('accounts').select('balance').where('account_no', '=', `${A}-USEROWN-U3001-P`).executeTakeFirstOrThrow();
		expect(bal.balance).toBe(12_345n);
		// the same number with other details is a conflict, not a silent replay
		expect(await call('payments', { ...body, amount: 1 })).toMatchObject({ status: 409, body: { code: 'TXN_NO_CONFLICT' } });
	});

	it('refuses floats, negatives and non-numbers as amounts with 400 and writes nothing', async () => {
		await call('users', user('U4001'));
		const before = await counts();
		for (const amount of ['12.50', 12.5, -100, '-1', '0', '1e3', 'abc', null, 1e20, '100000000000000000']) {
			const r = await call('payments', topup('U4001', amount));
			expect(r.status, `amount ${String(amount)}`).toBe(400);
			expect(r.body).toMatchObject({ ok: false, code: 'BAD_INPUT' });
			expect((r.body as { message: string }).message).toMatch(/[\u4e00-\u9fa5]/);
		}
		expect(await call('payments', { ...topup('U4001', 100), txn_type: 'NOPE' })).toMatchObject({ status: 400 });
		expect(await post('payments', '{not json', headersFor('payments', '{not json'))).toMatchObject({
			status: 400,
			body: { code: 'BAD_JSON' }
		});
		expect(await counts()).toBe(before);
	});

	it('answers insufficient funds with 409 and a clear code', async () => {
		await call('users', user('U5001'));
		await call('cards', { merchant_no: A, user_no: 'U5001', card_no: '6217001234567890125', card_type: 'DEBIT', bank_name: '建设银行', reserved_phone: '13912345678' });
		const before = await counts();
		const r = await call('withdrawals', {
			merchant_no: A,
			platform_txn_no: no(),
			merchant_order_no: no(),
			txn_type: 'ACCT_CASH_OUT',
			amount: 500,
			user_no: 'U5001',
			card_no: '6217001234567890125'
		});
		expect(r).toMatchObject({ status: 409, body: { ok: false, code: 'INSUFFICIENT_FUNDS', message: '账户余额不足' } });
		expect(await counts()).toBe(before);
	});

	it("does not let merchant B reference merchant A's user", async () => {
		await call('users', user('U6001'));
		const before = await counts();
		const r = await call('payments', { ...topup('U6001', 100), merchant_no: B });
		expect(r).toMatchObject({ status: 404, body: { code: 'USER_NOT_FOUND' } });
		const card = await call('cards', { merchant_no: B, user_no: 'U6001', card_no: '6222021234567890128', card_type: 'DEBIT', bank_name: '工商银行', reserved_phone: '13912345678' });
		expect(card.status).toBe(404);
		expect(await counts()).toBe(before);
	});

	it('answers an unknown merchant with 404 and an unknown kind with 404', async () => {
		expect(await call('users', user('U7001', { merchant_no: '2099999999999999' }))).toMatchObject({ status: 404, body: { code: 'MERCHANT_NOT_FOUND' } });
		expect(await call('teleport', user('U7001'))).toMatchObject({ status: 404, body: { code: 'UNKNOWN_KIND' } });
	});

	it('runs a whole life: top-up yesterday, settlement, withdrawal, bank return, refund', async () => {
		await call('users', user('U8001'));
		await call('cards', { merchant_no: A, user_no: 'U8001', card_no: '6225881234567894', card_type: 'DEBIT', bank_name: '招商银行', reserved_phone: '13912345678' });
		const y = addDays(businessDate(), -1);
		const at = new Date(startOfBusinessDate(y).getTime() + 10 * 3_600_000).toISOString();
		const pay = topup('U8001', 50_000, { created_at: at });
		expect((await call('payments', pay)).status).toBe(200);
		expect(await call('settlements', { merchant_no: A, accounting_date: businessDate() })).toMatchObject({ status: 400, body: { code: 'DAY_NOT_OVER' } });
		expect(await call('settlements', { merchant_no: A, accounting_date: y })).toMatchObject({ status: 200, body: { created: true } });
		expect(await call('settlements', { merchant_no: A, accounting_date: y })).toMatchObject({ status: 200, body: { created: false } });

		const w = { merchant_no: A, platform_txn_no: no(), merchant_order_no: no(), txn_type: 'ACCT_CASH_OUT', amount: '20000', user_no: 'U8001', card_no: '6225881234567894' };
		expect(await call('withdrawals', w)).toMatchObject({ status: 200, body: { created: true } });
		expect(await call('withdrawals', { ...w, card_no: '6222021234567890128', platform_txn_no: no(), merchant_order_no: no() })).toMatchObject({
			status: 400,
			body: { code: 'CARD_NOT_BOUND' }
		});
		expect(await call('withdrawal-status', { merchant_no: A, platform_txn_no: w.platform_txn_no, status: 'TRADE_SUCCESS' })).toMatchObject({ status: 200 });
		expect(await call('withdrawal-status', { merchant_no: A, platform_txn_no: w.platform_txn_no, status: 'TRADE_CANCEL' })).toMatchObject({ status: 200, body: { created: true } });
		expect(await call('withdrawal-status', { merchant_no: A, platform_txn_no: w.platform_txn_no, status: 'TRADE_FAILURE' })).toMatchObject({
			status: 409,
			body: { code: 'ILLEGAL_STATUS_TRANSITION' }
		});

		const refund = { merchant_no: A, platform_txn_no: no(), refund_no: no(), original_platform_txn_no: pay.platform_txn_no, amount: 10_000 };
		expect(await call('refunds', refund)).toMatchObject({ status: 200, body: { created: true } });
		expect(await call('refunds', { ...refund, platform_txn_no: no(), refund_no: no(), amount: 45_000 })).toMatchObject({
			status: 409,
			body: { code: 'REFUND_EXCEEDS_PAYMENT' }
		});
		expect(await call('refund-status', { merchant_no: A, platform_txn_no: refund.platform_txn_no, status: 'TRADE_SUCCESS' })).toMatchObject({ status: 200 });
		const avail = await db.selectFrom('accounts').select('balance').where('account_no', '=', `${A}-USEROWN-U8001-A`).executeTakeFirstOrThrow();
		expect(avail.balance).toBe(40_000n);
		expect(await checkInvariants(db)).toEqual([]);
	});

	it('is served by the SvelteKit route without a session', async () => {
		const { raw, headers } = signed('users', user('U9001'));
		headers.set('content-type', 'application/json');
		const request = new Request('http://localhost/api/ingest/v1/users', { method: 'POST', body: raw, headers });
		const res = await POST({ params: { kind: 'users' }, request } as unknown as Parameters<typeof POST>[0]);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ ok: true, created: true });
		const unsigned = new Request('http://localhost/api/ingest/v1/users', { method: 'POST', body: raw });
		expect((await POST({ params: { kind: 'users' }, request: unsigned } as unknown as Parameters<typeof POST>[0])).status).toBe(401);
	});
});
