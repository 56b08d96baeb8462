// Both SMS senders against the real outbox table; the HTTP sender against a gateway started here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '#db';
import { HttpSmsSender, OutboxSmsSender, sendSms, smsSenderFromEnv } from '#shared/server/sms/index.ts';
import { makeMerchant } from '../fixtures/merchant.ts';

const db = getDb();

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler = (_req, _body, res) => res.end('ok');
const received: { body: string; auth: string | undefined }[] = [];
const server = createServer((req, res) => {
	let body = '';
	req.on('data', (c) => (body += c));
	req.on('end', () => {
		received.push({ body, auth: req.headers.authorization });
		handler(req, body, res);
	});
});
let url = '';

beforeAll(async () => {
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((r) => server.close(() => r()));
});

/** Runs `send` and keeps what it logged as an error: a failed delivery tells the operator on stderr. */
async function loggedErrors<T>(send: () => Promise<T>): Promise<T & { logged: string[] }> {
	const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
	try {
		const result = await send();
		return { ...result, logged: spy.mock.calls.map((args) => args.join(' ')) };
	} finally {
		spy.mockRestore();
	}
}

const outboxRow = (id: bigint) => db.selectFrom('sms_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('outbox sender', () => {
	it('writes the message as SENT and logs one line without the body', async () => {
		const merchant = await makeMerchant(db);
		const lines: string[] = [];
		const { id, status } = await sendSms(
			db,
			{ merchantId: merchant.id, phone: '13912345678', body: '验证码 123456', purpose: 'RESET_PASSWORD' },
			new OutboxSmsSender((l) => lines.push(l))
		);
		expect(status).toBe('SENT');
		const row = await outboxRow(id);
		expect(row).toMatchObject({ merchant_id: merchant.id, phone: '13912345678', body: '验证码 123456', status: 'SENT', attempts: 1, error: null });
		expect(row.sent_at).toBeInstanceOf(Date);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toContain('139****5678');
		expect(lines[0]).not.toContain('123456');
	});

	it('is the default sender; SMS_SENDER chooses, and http without a URL is refused', () => {
		expect(smsSenderFromEnv({}).name).toBe('outbox');
		expect(smsSenderFromEnv({ SMS_SENDER: 'http', SMS_GATEWAY_URL: 'http://x' }).name).toBe('http');
		expect(() => smsSenderFromEnv({ SMS_SENDER: 'http' })).toThrow(/SMS_GATEWAY_URL/);
		expect(() => smsSenderFromEnv({ SMS_SENDER: 'pigeon' })).toThrow(/pigeon/);
	});
});

describe('HTTP gateway sender', () => {
	it('posts JSON with the bearer token and records SENT', async () => {
		received.length = 0;
		handler = (_req, _body, res) => res.end('{"ok":true}');
		const sender = new HttpSmsSender({ url, token: 'tok-1', baseBackoffMs: 1 });
		const { id, status } = await sendSms(db, { merchantId: null, phone: '13900000001', body: 'hello', purpose: 'TEST' }, sender);
		expect(status).toBe('SENT');
		expect(received).toHaveLength(1);
		expect(JSON.parse(received[0]!.body)).toEqual({ id: String(id), phone: '13900000001', body: 'hello', purpose: 'TEST' });
		expect(received[0]!.auth).toBe('Bearer tok-1');
		expect(await outboxRow(id)).toMatchObject({ status: 'SENT', attempts: 1 });
	});

	it('retries a failing gateway and succeeds on the third attempt', async () => {
		received.length = 0;
		let n = 0;
		handler = (_req, _body, res) => {
			n++;
			res.statusCode = n < 3 ? 503 : 200;
			res.end(n < 3 ? 'busy' : 'ok');
		};
		const { id, status } = await sendSms(db, { merchantId: null, phone: '13900000002', body: 'b', purpose: 'TEST' }, new HttpSmsSender({ url, baseBackoffMs: 5 }));
		expect(status).toBe('SENT');
		expect(received).toHaveLength(3);
		expect(await outboxRow(id)).toMatchObject({ status: 'SENT', attempts: 3, error: null });
	});

	it('records FAILED with the error after 3 attempts, with backoff between them', async () => {
		received.length = 0;
		handler = (_req, _body, res) => {
			res.statusCode = 500;
			res.end('gateway down');
		};
		const started = Date.now();
		const { id, status, logged } = await loggedErrors(() =>
			sendSms(db, { merchantId: null, phone: '13900000003', body: 'b', purpose: 'TEST' }, new HttpSmsSender({ url, baseBackoffMs: 40 }))
		);
		expect(status).toBe('FAILED');
		expect(received).toHaveLength(3);
		// 40 ms then 80 ms of backoff: a floor, which no load can break
		expect(Date.now() - started).toBeGreaterThanOrEqual(115);
		expect(logged).toEqual([`[sms] #${id} TEST FAILED after 3 attempt(s): gateway answered HTTP 500: gateway down`]);
		const row = await outboxRow(id);
		expect(row).toMatchObject({ status: 'FAILED', attempts: 3, sent_at: null });
		expect(row.error).toContain('HTTP 500');
		expect(row.error).toContain('gateway down');
	});

	it('times out a gateway that never answers and records the timeout', async () => {
		received.length = 0;
		handler = () => {
			/* never answers */
		};
		const sender = new HttpSmsSender({ url, timeoutMs: 150, maxAttempts: 2, baseBackoffMs: 1 });
		const started = Date.now();
		const { id, status, logged } = await loggedErrors(() => sendSms(db, { merchantId: null, phone: '13900000004', body: 'b', purpose: 'TEST' }, sender));
		expect(status).toBe('FAILED');
		// Two attempts of 150 ms each; that the call returned at all (the gateway never answers) is the timeout working.
		expect(Date.now() - started).toBeGreaterThanOrEqual(300);
		const row = await outboxRow(id);
		expect(row).toMatchObject({ status: 'FAILED', attempts: 2 });
		expect(row.error).toMatch(/timed out after 150 ms/);
		expect(logged).toEqual([`[sms] #${id} TEST FAILED after 2 attempt(s): gateway timed out after 150 ms`]);
	});

	it('records an unreachable gateway as FAILED', async () => {
		const { id, status, logged } = await loggedErrors(() =>
			sendSms(db, { merchantId: null, phone: '13900000005', body: 'b', purpose: 'TEST' }, new HttpSmsSender({ url: 'http://127.0.0.1:1/sms', baseBackoffMs: 1 }))
		);
		expect(status).toBe('FAILED');
		expect((await outboxRow(id)).error).toMatch(/unreachable/);
		expect(logged).toEqual([`[sms] #${id} TEST FAILED after 3 attempt(s): gateway unreachable: fetch failed`]);
	});

	it('defaults to a 5 s timeout and 3 attempts', () => {
		const s = new HttpSmsSender({ url });
		expect(s.maxAttempts).toBe(3);
		expect(s.backoffMs(1)).toBeLessThan(s.backoffMs(2));
	});
});
