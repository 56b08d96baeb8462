// The signed ingest API, attacked through its SvelteKit route: amounts JSON.parse would bend
// into integers, a signed request replayed at another endpoint, a stale signature, a body
// without end, and text Postgres or a spreadsheet cannot hold. Each refusal books nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { makeMerchant } from '../fixtures/merchant.ts';
import { checkInvariants, openMerchantAccounts } from '#shared/server/ledger/index.ts';
import { ingestSecret, signatureHeaders } from '#shared/server/ingest/signature.ts';
import { POST } from '../../src/routes/api/ingest/v1/[kind]/+server.ts';

const db = getDb();
const MERCHANT = '2030020200000001';
const USER = 'ABUSE-U1';
let seq = 0;
const no = () => `A${Date.now()}${String(++seq).padStart(4, '0')}`;

type RouteEvent = Parameters<typeof POST>[0];

/** POSTs `raw` to /api/ingest/v1/<kind> through the route, signed (by default) for that very request. */
async function send(kind: string, raw: string | ReadableStream<Uint8Array>, init: { headers?: Record<string, string>; signedFor?: string; at?: Date } = {}) {
	const path = `/api/ingest/v1/${kind}`;
	const signed =
		typeof raw === 'string'
			? signatureHeaders(ingestSecret(), { method: 'POST', path: init.signedFor ?? path, body: raw }, init.at ?? new Date())
			: {};
	const request = new Request(`http://localhost${path}`, {
		method: 'POST',
		body: raw,
		headers: { 'content-type': 'application/json', ...signed, ...init.headers },
		...(typeof raw === 'string' ? {} : { duplex: 'half' })
	} as RequestInit);
	const res = await POST({ params: { kind }, request } as unknown as RouteEvent);
	return { status: res.status, body: (await res.json()) as { ok: boolean; code?: string; message?: string; created?: boolean } };
}

/** Everything a booking would change: rows of every money and people table, and the sum of balances. */
async function ledgerState() {
	const r = await sql<Record<string, string>>`SELECT
		(SELECT count(*) FROM users) AS users, (SELECT count(*) FROM bank_cards) AS cards,
		(SELECT count(*) FROM payments) AS payments, (SELECT count(*) FROM refunds) AS refunds,
		(SELECT count(*) FROM withdrawals) AS withdrawals, (SELECT count(*) FROM fund_flows) AS flows,
		(SELECT coalesce(sum(balance), 0) FROM accounts) AS balances`.execute(db);
	return r.rows[0];
}

const userBalance = async () =>
	(await db.selectFrom('accounts').select('balance').where('account_no', '=', `${MERCHANT}-USEROWN-${USER}-P`).executeTakeFirstOrThrow()).balance;

/** A top-up body whose amount is written into the raw JSON exactly as given. */
function topupWithRawAmount(amount: string): string {
	const body = {
		merchant_no: MERCHANT,
		platform_txn_no: no(),
		merchant_order_no: no(),
		txn_type: 'USER_TOPUP',
		status: 'TRADE_SUCCESS',
		amount: '__AMOUNT__',
		user_no: USER
	};
	return JSON.stringify(body).replace('"__AMOUNT__"', amount);
}

beforeAll(async () => {
	const { id } = await makeMerchant(db, { merchantNo: MERCHANT, name: '攻击测试商户' });
	await openMerchantAccounts(db, id);
	const raw = JSON.stringify({
		merchant_no: MERCHANT,
		user_no: USER,
		user_type: 'INNERUSER',
		name: '张三',
		phone: '13912345678',
		id_type: 'ID_CARD',
		id_no: '11010119900307663X'
	});
	expect((await send('users', raw)).status).toBe(200);
});

afterAll(async () => {
	expect(await checkInvariants(db)).toEqual([]);
});

describe('amounts JSON.parse would turn into integers', () => {
	it('refuses 100.00, 1e2, 1.0, 100.5 and 2^53+1 with 400 and books nothing; 100 itself is booked', async () => {
		const before = await ledgerState();
		const balance = await userBalance();
		for (const amount of ['100.00', '1e2', '1E2', '1.0', '100.5', '9007199254740993', '-0.0']) {
			const raw = topupWithRawAmount(amount);
			// the attack relies on this: the parsed body holds a perfectly good integer (or close to one)
			expect(raw).toContain(`"amount":${amount}`);
			const r = await send('payments', raw);
			expect(r.status, `amount ${amount}`).toBe(400);
			expect(r.body).toMatchObject({ ok: false, code: 'BAD_INPUT', message: '金额必须是以分为单位的整数' });
		}
		// a float in a fee field is no better than one in the amount
		const fee = JSON.stringify({ ...JSON.parse(topupWithRawAmount('100')), fee_amount: '__FEE__' }).replace('"__FEE__"', '0.0');
		expect((await send('payments', fee)).status).toBe(400);
		expect(await ledgerState()).toEqual(before);
		expect(await userBalance()).toBe(balance);

		// control: the same request with a JSON integer is booked as exactly that many fen
		expect(await send('payments', topupWithRawAmount('100'))).toMatchObject({ status: 200, body: { ok: true, created: true } });
		expect(await userBalance()).toBe(balance + 100n);
	});

	it('digits inside strings are not numbers: a memo of "1.5e3" and a digit-string amount are fine', async () => {
		const raw = JSON.stringify({ ...JSON.parse(topupWithRawAmount('"250"')), memo: '含 1.5e3 和 "100.00" 的备注 \\ 反斜杠' });
		const balance = await userBalance();
		expect(await send('payments', raw)).toMatchObject({ status: 200, body: { ok: true, created: true } });
		expect(await userBalance()).toBe(balance + 250n);
	});
});

describe('signatures bound to the request', () => {
	it('a body signed for /cards, replayed at /payments, is refused with 401 and books nothing', async () => {
		// One body that is a valid card AND a valid payment: each schema drops the other's fields.
		const body = JSON.stringify({
			merchant_no: MERCHANT,
			user_no: USER,
			card_no: '6217001234567890125',
			card_type: 'DEBIT',
			bank_name: '建设银行',
			reserved_phone: '13912345678',
			platform_txn_no: no(),
			merchant_order_no: no(),
			txn_type: 'USER_TOPUP',
			status: 'TRADE_SUCCESS',
			amount: 5000
		});
		expect(await send('cards', body)).toMatchObject({ status: 200, body: { created: true } });
		const before = await ledgerState();
		const balance = await userBalance();
		const replay = await send('payments', body, { signedFor: '/api/ingest/v1/cards' });
		expect(replay).toMatchObject({ status: 401, body: { ok: false, code: 'SIGNATURE_MISMATCH', message: '签名验证失败' } });
		expect(await ledgerState()).toEqual(before);
		// control: signed for /payments, the very same body is a top-up the ledger books
		expect(await send('payments', body)).toMatchObject({ status: 200, body: { created: true } });
		expect(await userBalance()).toBe(balance + 5000n);
	});

	it('a body signed for /users is refused at /payments with 401 before its content is even looked at', async () => {
		const body = JSON.stringify({ ...JSON.parse(topupWithRawAmount('700')), user_type: 'INNERUSER', name: '李四' });
		const before = await ledgerState();
		expect(await send('payments', body, { signedFor: '/api/ingest/v1/users' })).toMatchObject({ status: 401, body: { code: 'SIGNATURE_MISMATCH' } });
		expect(await ledgerState()).toEqual(before);
	});

	it('a signature 6 minutes old (or 6 minutes ahead) is refused with 401 and books nothing', async () => {
		const before = await ledgerState();
		for (const minutes of [-6, 6]) {
			const r = await send('payments', topupWithRawAmount('100'), { at: new Date(Date.now() + minutes * 60_000) });
			expect(r, `${minutes} min`).toMatchObject({ status: 401, body: { ok: false, code: 'SIGNATURE_EXPIRED' } });
		}
		expect(await ledgerState()).toEqual(before);
	});
});

describe('bodies without end', () => {
	/** A 10 MB JSON-looking body produced on demand, counting what the server pulls. */
	function endless(totalBytes: number) {
		const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
		let sent = 0;
		const stream = new ReadableStream<Uint8Array>({
			start(c) {
				c.enqueue(new TextEncoder().encode('{"memo":"'));
			},
			pull(c) {
				if (sent >= totalBytes) return c.close();
				sent += chunk.byteLength;
				c.enqueue(chunk);
			}
		});
		return { stream, pulled: () => sent };
	}

	it('a 10 MB streamed body with no Content-Length is answered 413 after reading little of it', async () => {
		const body = endless(10 * 1024 * 1024);
		const r = await send('payments', body.stream);
		expect(r).toMatchObject({ status: 413, body: { ok: false, code: 'BODY_TOO_LARGE', message: '请求体过大' } });
		expect(body.pulled()).toBeLessThan(1024 * 1024);
	});

	it('a Content-Length that lies about a 10 MB body does not make it readable', async () => {
		const body = endless(10 * 1024 * 1024);
		const r = await send('payments', body.stream, { headers: { 'content-length': '200' } });
		expect(r.status).toBe(413);
		expect(body.pulled()).toBeLessThan(1024 * 1024);
	});

	it('a declared Content-Length over the cap is refused before a byte is read', async () => {
		const body = endless(10 * 1024 * 1024);
		const r = await send('payments', body.stream, { headers: { 'content-length': String(10 * 1024 * 1024) } });
		expect(r.status).toBe(413);
		expect(body.pulled()).toBeLessThan(1024 * 1024);
	});
});

describe('text Postgres or a spreadsheet cannot hold', () => {
	const bad = { NUL: '\u0000', 'U+FFFE': '\ufffe', 'U+FFFF': '\uffff', 'a C0 control': '\u0007', 'a lone surrogate': '\ud800' };

	it('NUL, U+FFFE, U+FFFF, C0 controls and lone surrogates in any text field answer 400 BAD_INPUT, never 500', async () => {
		const before = await ledgerState();
		const bodies: [string, (s: string) => Record<string, unknown>][] = [
			['users', (s) => ({ merchant_no: MERCHANT, user_no: `U3${seq++}`, user_type: 'INNERUSER', name: `王${s}五`, phone: '13912345670', id_type: 'ID_CARD', id_no: '110101199003076689' })],
			['users', (s) => ({ merchant_no: MERCHANT, user_no: `U3${s}`, user_type: 'INNERUSER', name: '王五', phone: '13912345670', id_type: 'ID_CARD', id_no: '110101199003076689' })],
			['payments', (s) => ({ ...JSON.parse(topupWithRawAmount('100')), memo: `备注${s}` })],
			['payments', (s) => ({ ...JSON.parse(topupWithRawAmount('100')), order_info: `商品${s}` })],
			['payments', (s) => ({ ...JSON.parse(topupWithRawAmount('100')), merchant_order_no: `MO${s}1` })],
			['cards', (s) => ({ merchant_no: MERCHANT, user_no: USER, card_no: '6222021234567890128', card_type: 'DEBIT', bank_name: `工商${s}银行`, reserved_phone: '13912345678' })]
		];
		for (const [kind, make] of bodies) {
			for (const [what, s] of Object.entries(bad)) {
				const r = await send(kind, JSON.stringify(make(s)));
				expect(r.status, `${kind} with ${what}`).toBe(400);
				expect(r.body, `${kind} with ${what}`).toMatchObject({ ok: false, code: 'BAD_INPUT' });
				expect(r.body.message).toMatch(/[\u4e00-\u9fa5]/);
			}
		}
		expect(await ledgerState()).toEqual(before);
	});

	it('tabs and line breaks in a memo are still fine', async () => {
		const raw = JSON.stringify({ ...JSON.parse(topupWithRawAmount('100')), memo: '第一行\n第二行\t制表' });
		expect(await send('payments', raw)).toMatchObject({ status: 200, body: { created: true } });
	});

	it('bytes that are not UTF-8 are refused with 400, not guessed at', async () => {
		const before = await ledgerState();
		const bytes = new Uint8Array([...new TextEncoder().encode('{"memo":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}')]);
		const stream = new ReadableStream<Uint8Array>({
			start(c) {
				c.enqueue(bytes);
				c.close();
			}
		});
		expect(await send('payments', stream)).toMatchObject({ status: 400, body: { ok: false, code: 'BAD_JSON' } });
		expect(await ledgerState()).toEqual(before);
	});
});
