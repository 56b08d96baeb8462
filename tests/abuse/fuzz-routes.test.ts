// Hostile requests to the plain HTTP routes (issue 9): /files/[id], the signed ingest API, the
// 连连公钥 download and the tRPC endpoint itself, each sent through hooks.server.ts's `handle`
// the way SvelteKit runs it (a hand-made RequestEvent, as tests/auth/http.test.ts does). Path
// tricks, ids beyond int8, prototype keys as route parameters, hostile cookies, ranges, headers
// and bodies. Pass: every answer is what the route means (a 4xx for anything hostile), never a
// 500 or a thrown error, and no prototype gets polluted. FUZZ_SEED replays a run.
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isHttpError, isRedirect } from '@sveltejs/kit';
import fc from 'fast-check';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { getDb } from '#db';
import { handle } from '../../src/hooks.server.ts';
import { GET as platformKey } from '../../src/routes/(app)/params/keys/platform-public-key/+server.ts';
import { POST as ingest } from '../../src/routes/api/ingest/v1/[kind]/+server.ts';
import { GET as statementApi } from '../../src/routes/api/v1/statements/[date]/+server.ts';
import { GET as trpcGet, POST as trpcPost } from '../../src/routes/api/trpc/[...trpc]/+server.ts';
import { GET as fileGet, HEAD as fileHead } from '../../src/routes/files/[id]/+server.ts';
import { INGEST_KINDS, INGEST_SCHEMAS } from '#shared/schemas/ingest.ts';
import { ROLE_PERMISSIONS } from '#shared/permissions.ts';
import { createSession } from '#shared/server/auth/session.ts';
import { closeFilePool, openFileWriter } from '#shared/server/files/index.ts';
import { ingestPath, ingestSecret, signatureHeaders } from '#shared/server/ingest/signature.ts';
import { openMerchantAccounts } from '#shared/server/ledger/index.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { addDays, yesterday } from '#shared/time.ts';
import { makeMerchant, makeRole, makeStaff } from '../fixtures/merchant.ts';
import { HOSTILE_STRINGS, inputFor } from '../fixtures/fuzz.ts';
import { requestEvent } from '../fixtures/request-event.ts';

const db = getDb();
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_109);
afterAll(closeFilePool);

/** Any route's handler (each is typed with its own params). */
type Handler = (event: never) => Promise<Response> | Response;
interface Sent {
	url: string;
	handler: Handler;
	params: Record<string, string>;
	init?: RequestInit;
	cookie?: string;
}

/** One request through `handle`, answered as SvelteKit would: error() and redirect() become their status, anything else thrown is a 500. */
async function send({ url, handler, params, init = {}, cookie }: Sent): Promise<{ status: number; crash?: unknown }> {
	// The session cookie under either name, as the hook reads it in plain or Secure mode.
	const jar: Record<string, string> = cookie === undefined ? {} : { session: cookie, '__Host-session': cookie };
	const event = requestEvent(url, { init, jar, params, ip: '192.0.2.77' });
	try {
		const response = await handle({
			event,
			resolve: async (e) => {
				try {
					return await handler(e as never);
				} catch (err) {
					if (isHttpError(err)) return new Response(JSON.stringify(err.body), { status: err.status });
					if (isRedirect(err)) return new Response(null, { status: err.status, headers: { location: err.location } });
					throw err;
				}
			}
		});
		// Read the whole body: a stream that fails half-way is a crash too.
		await response.arrayBuffer();
		return { status: response.status };
	} catch (crash) {
		return { status: 500, crash };
	}
}

/** A URL path segment; a lone surrogate goes as U+FFFD, as a browser would send it. */
function segment(s: string): string {
	return encodeURIComponent(s.toWellFormed());
}

const show = (v: unknown) => {
	const s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
	return s.length > 200 ? `${s.slice(0, 200)}…(${s.length})` : s;
};

/** Route parameters an attacker tries: traversal (decoded and not), prototype keys, number tricks, bytes. */
const PATH_TRICKS = [
	'../../etc/passwd',
	'..%2f..%2fetc%2fpasswd',
	'%2e%2e',
	'..',
	'.',
	'1;DROP TABLE files',
	"1' OR '1'='1",
	'99999999999999999999',
	'9223372036854775808',
	'9223372036854775807',
	'-1',
	'0',
	'00000000000000000001',
	'0x10',
	'1e5',
	' 1',
	'1 ',
	'+1',
	'１２３',
	'١٢٣',
	'1\u0000',
	'\u0000',
	'\uFFFE',
	'\uD800',
	'NaN',
	'',
	'__proto__',
	'constructor',
	'prototype',
	'toString',
	'hasOwnProperty',
	'valueOf',
	'x'.repeat(10_000)
];
const pathParam = fc.oneof(
	{ arbitrary: fc.constantFrom(...PATH_TRICKS), weight: 4 },
	{ arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 2 },
	{ arbitrary: fc.stringMatching(/^-?\d{1,25}$/), weight: 2 },
	{ arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 }
);
const cookieValue = fc.oneof(
	fc.constantFrom('', 'x', '\u0000', 'a'.repeat(10_000), '../../', '%00', "' OR 1=1 --", '__proto__'),
	fc.string({ unit: 'binary', maxLength: 80 }),
	fc.stringMatching(/^[a-z2-7]{1,64}$/)
);
const rangeHeader = fc.constantFrom(
	null,
	'bytes=0-0',
	'bytes=0-',
	'bytes=-1',
	'bytes=-0',
	'bytes=5-1',
	'bytes=99999999999999999999-',
	'bytes=-99999999999999999999',
	'bytes=0-99999999999999999999',
	'bytes=0-0,1-1',
	'bytes=abc',
	'bytes=1e3-',
	'items=0-1',
	'bytes= 0 - 1'
);

let adminToken: string;
let operatorBToken: string;
let fileOfA: bigint;

beforeAll(async () => {
	const a = await makeMerchant(db, { name: '文件商户A' });
	const admin = await makeStaff(db, a.id, { isAdmin: true });
	adminToken = (await createSession(db, admin.id, { ip: null, userAgent: 'fuzz' })).token;
	const b = await makeMerchant(db, { name: '文件商户B' });
	const opB = await makeStaff(db, b.id);
	await makeRole(db, b.id, [...ROLE_PERMISSIONS], { staffIds: [opB.id] });
	operatorBToken = (await createSession(db, opB.id, { ip: null, userAgent: 'fuzz' })).token;

	// A finished export of A's, so its file can be downloaded (by A) and must not be (by B).
	const writer = await openFileWriter(db, { merchantId: a.id, name: '支付订单_导出.csv', contentType: 'text/csv; charset=utf-8' });
	await pipeline(Readable.from([Buffer.from('商户支付单号,金额\n1,1.00\n')]), writer.stream);
	const stored = await writer.finish(db);
	fileOfA = stored.fileId;
	await db
		.insertInto('exports')
		.values({ merchant_id: a.id, staff_id: admin.id, list_key: 'payments', format: 'CSV', columns: ['merchantOrderNo'], filter: {}, status: 'READY', file_id: fileOfA, expires_at: new Date(Date.now() + 86_400_000) })
		.execute();
});

describe('hostile requests to the HTTP routes', () => {
	it('/files/[id]: path tricks, ids beyond int8, hostile cookies and ranges answer 401/404 (or the file to its owner), never 500', async () => {
		const wrong: string[] = [];
		const tally: Record<number, number> = {};
		const cases = fc.sample(
			fc.record({
				id: fc.oneof({ arbitrary: pathParam, weight: 5 }, { arbitrary: fc.constant('REAL'), weight: 1 }),
				who: fc.constantFrom('admin', 'operatorB', 'none', 'garbage'),
				garbage: cookieValue,
				method: fc.constantFrom('GET', 'HEAD'),
				range: rangeHeader
			}),
			{ seed: SEED, numRuns: 160 }
		);
		for (const c of cases) {
			const id = c.id === 'REAL' ? String(fileOfA) : c.id;
			const cookie = c.who === 'admin' ? adminToken : c.who === 'operatorB' ? operatorBToken : c.who === 'garbage' ? c.garbage : undefined;
			const headers: Record<string, string> = {};
			if (c.range) headers.range = c.range;
			const r = await send({
				url: `http://localhost/files/${segment(id)}`,
				handler: c.method === 'GET' ? fileGet : fileHead,
				params: { id },
				init: { method: c.method, headers },
				cookie
			});
			tally[r.status] = (tally[r.status] ?? 0) + 1;
			const owner = c.who === 'admin' && id === String(fileOfA);
			const expected = owner ? [200, 206, 416] : cookie === undefined || c.who === 'garbage' ? [401, 404] : [404];
			if (!expected.includes(r.status)) wrong.push(`${c.method} /files/${show(id)} as ${c.who} range ${show(c.range)}: ${r.status} ${r.crash ? String(r.crash) : ''}`);
		}
		expect(wrong, `seed ${SEED}`).toEqual([]);
		// It exercised each answer: the owner's download (whole or a range), missing, signed out.
		expect((tally[200] ?? 0) + (tally[206] ?? 0)).toBeGreaterThan(0);
		expect(tally[404]).toBeGreaterThan(20);
		expect(tally[401]).toBeGreaterThan(20);
	});

	it('/api/ingest/v1/[kind]: prototype keys and traversal as the kind, bad signatures, hostile bodies (signed too) answer 4xx, never 500', async () => {
		const wrong: string[] = [];
		const unsignedTally: Record<number, number> = {};
		const signedTally: Record<number, number> = {};
		const kinds = fc.oneof({ arbitrary: pathParam, weight: 3 }, { arbitrary: fc.constantFrom('../trpc', 'payments/../users', 'PAYMENTS', 'payments ', 'payments\u0000'), weight: 1 });
		const unsigned = fc.sample(
			fc.record({
				kind: fc.oneof(kinds, fc.constantFrom(...INGEST_KINDS)),
				body: fc.oneof(fc.constantFrom('', '{}', 'null', '[]', '{"__proto__":{"x":1}}', '{not json', 'x'.repeat(70_000)), fc.string({ unit: 'binary', maxLength: 200 })),
				timestamp: fc.option(fc.constantFrom('0', '-1', '99999999999999999999', String(Math.floor(Date.now() / 1000)), '1e9', 'NaN', '\u0000'), { nil: undefined }),
				signature: fc.option(fc.oneof(fc.constantFrom('0'.repeat(64), 'zz', 'f'.repeat(10_000)), fc.stringMatching(/^[0-9a-f]{64}$/)), { nil: undefined })
			}),
			{ seed: SEED, numRuns: 120 }
		);
		for (const c of unsigned) {
			const headers: Record<string, string> = { 'content-type': 'application/json' };
			if (c.timestamp !== undefined) headers['x-signature-timestamp'] = c.timestamp.replace(/\u0000/g, '');
			if (c.signature !== undefined) headers['x-signature'] = c.signature;
			const r = await send({ url: `http://localhost/api/ingest/v1/${segment(c.kind)}`, handler: ingest, params: { kind: c.kind }, init: { method: 'POST', headers, body: c.body } });
			unsignedTally[r.status] = (unsignedTally[r.status] ?? 0) + 1;
			if (r.status < 400 || r.status > 499) wrong.push(`POST ingest/${show(c.kind)} body ${show(c.body)}: ${r.status} ${r.crash ? String(r.crash) : ''}`);
		}
		// Signed bodies, built from each kind's schema with hostile values: the payment core's own
		// key does not make a malformed body acceptable.
		for (const [k, kind] of INGEST_KINDS.entries()) {
			const bodies = fc.sample(inputFor(INGEST_SCHEMAS[kind] as unknown as ZodType, { samples: ['2018062800003003', '13800000000', '6222020000000000001'] }), { seed: SEED + k, numRuns: 12 });
			for (const value of bodies) {
				let body: string;
				try {
					body = JSON.stringify(value, (_key, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null';
				} catch {
					body = 'null';
				}
				const headers = { 'content-type': 'application/json', ...signatureHeaders(ingestSecret(), { method: 'POST', path: ingestPath(kind), body }) };
				const r = await send({ url: `http://localhost${ingestPath(kind)}`, handler: ingest, params: { kind }, init: { method: 'POST', headers, body } });
				signedTally[r.status] = (signedTally[r.status] ?? 0) + 1;
				if (r.status === 500 || r.crash || (r.status !== 200 && (r.status < 400 || r.status > 499)))
					wrong.push(`signed ${kind} ${show(body)}: ${r.status} ${r.crash ? String(r.crash) : ''}`);
			}
		}
		expect(wrong, `seed ${SEED}`).toEqual([]);
		// Unknown kinds, missing or wrong signatures and oversized bodies each came up; signed bodies got past the signature.
		expect(unsignedTally[404]).toBeGreaterThan(10);
		expect(unsignedTally[401]).toBeGreaterThan(10);
		expect(signedTally[400]).toBeGreaterThan(10);
	});

	it('/api/v1/statements/[date]: hostile dates, formats, merchant numbers, timestamps, nonces, signatures and ranges answer 4xx, never 500', async () => {
		// A merchant with its 商户公钥 saved and a READY statement; another merchant with a key of its own.
		const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const withKey = async (k: typeof keys) => {
			const m = await makeMerchant(db, { name: '对账接口商户' });
			await openMerchantAccounts(db, m.id);
			await db.insertInto('platform_keys').values({ merchant_id: m.id, merchant_public_key: k.publicKey.export({ type: 'spki', format: 'pem' }) as string, fingerprint: 'fuzz' }).execute();
			return m;
		};
		const m = await withKey(keys);
		const other = await withKey(otherKeys);
		const day = addDays(yesterday(), -2);
		const built = await buildStatement(db, (await upsertStatement(db, m.id, day)).id);
		expect(built.outcome).toBe('built');

		// Header values as a client can send them at all (no NUL, CR, LF or characters beyond Latin-1).
		const header = (v: string) => v.replace(/[^\x09\x20-\x7e\x80-\xff]/g, '?');
		const sign = (pathAndQuery: string, timestamp: string, nonce: string, k = keys) =>
			createSign('RSA-SHA256').update(`GET\n${pathAndQuery}\n${timestamp}\n${nonce}`).sign(k.privateKey, 'base64');
		const REUSED = `fuzz-reused-${randomBytes(8).toString('hex')}`;
		const call = async (c: { date: string; format: string | null; merchantNo: string; timestamp: string; nonce: string; signature: string | ((pq: string) => string); range: string | null }) => {
			const query = c.format === null ? '' : `?format=${segment(c.format)}`;
			const url = `http://localhost/api/v1/statements/${segment(c.date)}${query}`;
			const u = new URL(url);
			const signature = typeof c.signature === 'function' ? c.signature(u.pathname + u.search) : c.signature;
			const headers: Record<string, string> = { 'x-merchant-no': header(c.merchantNo), 'x-timestamp': header(c.timestamp), 'x-nonce': header(c.nonce), 'x-signature': header(signature) };
			if (c.range) headers.range = c.range;
			return send({ url, handler: statementApi, params: { date: c.date }, init: { method: 'GET', headers } });
		};
		const now = () => String(Math.floor(Date.now() / 1000));
		const valid = (date = day, format: string | null = 'csv', nonce = randomBytes(16).toString('hex')) => {
			const timestamp = now();
			return call({ date, format, merchantNo: m.merchant_no, timestamp, nonce, signature: (pq) => sign(pq, timestamp, nonce), range: null });
		};
		expect((await valid(day, 'csv', REUSED)).status).toBe(200);

		const wrong: string[] = [];
		const tally: Record<number, number> = {};
		const cases = fc.sample(
			fc.record({
				date: fc.oneof({ arbitrary: pathParam, weight: 3 }, { arbitrary: fc.constantFrom(day, day, '2026-02-30', '0000-01-01', '9999-12-31', '2026-13-01', `${day}x`, `${day}/../x`, addDays(day, -400), addDays(day, 3)), weight: 4 }),
				format: fc.option(fc.oneof(fc.constantFrom('csv', 'xlsx', 'csv', 'CSV', 'pdf', '', '../x', 'csv&format=xlsx'), fc.constantFrom(...HOSTILE_STRINGS)), { nil: null }),
				merchant: fc.constantFrom('mine', 'mine', 'mine', 'other', 'unknown', 'hostile'),
				hostileMerchant: fc.constantFrom(...HOSTILE_STRINGS, '', '0'.repeat(16), '9'.repeat(17), ' '.repeat(16)),
				timestamp: fc.oneof({ arbitrary: fc.constant('now'), weight: 4 }, { arbitrary: fc.constantFrom('0', '-1', '99999999999999999999', '1e9', 'NaN', '', '\u0000', 'stale', '9'.repeat(10_000)), weight: 2 }),
				nonce: fc.oneof({ arbitrary: fc.constant('fresh'), weight: 4 }, { arbitrary: fc.constantFrom('reused', '', 'short', 'x'.repeat(65), 'a'.repeat(100_000), '../../../../etc/passwd', "' OR 1=1 --", '\u0000'.repeat(20)), weight: 2 }),
				signature: fc.oneof({ arbitrary: fc.constantFrom('valid', 'valid', 'valid', 'otherKey', 'otherText'), weight: 4 }, { arbitrary: fc.constantFrom('', 'zz', '====', 'A'.repeat(100_000), '\u00ff\u00fe', '\u0000'), weight: 1 }, { arbitrary: fc.base64String({ maxLength: 400 }), weight: 1 }),
				range: rangeHeader
			}),
			{ seed: SEED, numRuns: 200 }
		);
		for (const c of cases) {
			const timestamp = c.timestamp === 'now' ? now() : c.timestamp === 'stale' ? String(Math.floor(Date.now() / 1000) - 3600) : c.timestamp;
			const nonce = c.nonce === 'fresh' ? randomBytes(16).toString('hex') : c.nonce === 'reused' ? REUSED : c.nonce;
			const merchantNo = c.merchant === 'mine' ? m.merchant_no : c.merchant === 'other' ? other.merchant_no : c.merchant === 'unknown' ? '1'.repeat(16) : c.hostileMerchant;
			const signature =
				c.signature === 'valid' ? (pq: string) => sign(pq, timestamp, nonce)
				: c.signature === 'otherKey' ? (pq: string) => sign(pq, timestamp, nonce, otherKeys)
				: c.signature === 'otherText' ? (pq: string) => sign(`${pq}&x=1`, timestamp, nonce)
				: c.signature;
			const r = await call({ date: c.date, format: c.format, merchantNo, timestamp, nonce, signature, range: c.range });
			tally[r.status] = (tally[r.status] ?? 0) + 1;
			// Only the merchant's own, validly signed, fresh request for its READY day with a real format gets the file.
			const genuine = c.merchant === 'mine' && c.timestamp === 'now' && c.nonce === 'fresh' && c.signature === 'valid' && c.date === day && (c.format === null || c.format === 'csv' || c.format === 'xlsx');
			const expected = genuine ? [200, 206, 416] : [400, 401, 404, 409];
			if (r.crash || !expected.includes(r.status))
				wrong.push(`GET statements/${show(c.date)}?format=${show(c.format)} as ${c.merchant} ts ${show(c.timestamp)} nonce ${show(c.nonce)} sig ${show(c.signature)} range ${show(c.range)}: ${r.status} ${r.crash ? String(r.crash) : ''}`);
		}
		expect(wrong, `seed ${SEED}`).toEqual([]);
		// Unsigned and forged requests came up often whatever the seed.
		expect(tally[401]).toBeGreaterThan(10);
		// The process is alive and answers genuine requests afterwards with what each means:
		// the file, a replay (409), a bad date or format (400), a day without a statement (404).
		expect((await valid(day, 'xlsx')).status).toBe(200);
		expect((await valid(day, 'csv', REUSED)).status).toBe(409);
		expect((await valid('2026-02-30')).status).toBe(400);
		expect((await valid(day, 'pdf\u0000')).status).toBe(400);
		expect((await valid(addDays(day, -1))).status).toBe(404);
	});

	it('/params/keys/platform-public-key: signed out and hostile cookies are 401, never 500', async () => {
		const wrong: string[] = [];
		for (const cookie of [undefined, ...fc.sample(cookieValue, { seed: SEED, numRuns: 20 })]) {
			const r = await send({ url: 'http://localhost/params/keys/platform-public-key?x=%00', handler: platformKey, params: {}, cookie });
			if (r.status !== 401) wrong.push(`cookie ${show(cookie)}: ${r.status} ${r.crash ? String(r.crash) : ''}`);
		}
		// Signed in with the permission: the key itself.
		expect((await send({ url: 'http://localhost/params/keys/platform-public-key', handler: platformKey, params: {}, cookie: operatorBToken })).status).toBe(200);
		expect(wrong, `seed ${SEED}`).toEqual([]);
	});

	it('/api/trpc: prototype keys as procedure paths, malformed JSON and superjson meta answer 4xx, and pollute nothing', async () => {
		const wrong: string[] = [];
		const tally: Record<number, number> = {};
		const paths = fc.oneof(
			{ arbitrary: pathParam, weight: 2 },
			{ arbitrary: fc.constantFrom('constructor', '__proto__', 'toString', 'auth.__proto__', 'payments.list.constructor', 'auth.me.call', 'payments..list', '.', 'payments.list,auth.__proto__'), weight: 3 },
			{ arbitrary: fc.constantFrom('payments.list', 'auth.me', 'payments.get', 'auth.signIn'), weight: 2 }
		);
		// superjson's meta tells the server how to revive values: wrong types, bad bigints, paths into prototypes.
		const metas = fc.constantFrom<unknown>(
			{ json: { id: 'abc' }, meta: { values: { id: ['bigint'] } } },
			{ json: { id: '99999999999999999999' }, meta: { values: { id: ['bigint'] } } },
			{ json: { id: 1 }, meta: { values: { id: ['Date'] } } },
			{ json: { a: 'x' }, meta: { values: { '__proto__.polluted': ['undefined'] } } },
			{ json: { a: 'x' }, meta: { values: { 'constructor.prototype.polluted': ['bigint'] } } },
			{ json: { a: [] }, meta: { values: { a: ['set'] }, referentialEqualities: { a: ['__proto__.polluted'] } } },
			{ json: { a: 1 }, meta: { values: { a: [['custom', 'nope']] } } },
			{ json: { a: 1 }, meta: { values: { a: [['class', 'Object']] } } },
			{ json: 'x'.repeat(10_000) },
			superjson.serialize({ filter: { merchantOrderNo: 'a\u0000b' } }),
			superjson.serialize({ id: 99999999999999999999n }),
			null,
			[]
		);
		const cases = fc.sample(
			fc.record({
				path: paths,
				method: fc.constantFrom('GET', 'POST'),
				body: fc.oneof(metas.map((m) => JSON.stringify(m)), fc.constantFrom('{not json', '', '{"0":{"json":1}}', '\u0000'), fc.string({ unit: 'binary', maxLength: 60 })),
				who: fc.constantFrom('admin', 'none', 'garbage'),
				garbage: cookieValue
			}),
			{ seed: SEED, numRuns: 150 }
		);
		for (const c of cases) {
			const cookie = c.who === 'admin' ? adminToken : c.who === 'garbage' ? c.garbage : undefined;
			const encoded = c.path.split(',').map(segment).join(',');
			const url = c.method === 'GET' ? `http://localhost/api/trpc/${encoded}?input=${segment(c.body)}` : `http://localhost/api/trpc/${encoded}`;
			const init: RequestInit = c.method === 'GET' ? { method: 'GET' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: c.body };
			const r = await send({ url, handler: c.method === 'GET' ? trpcGet : trpcPost, params: { trpc: c.path }, init, cookie });
			tally[r.status] = (tally[r.status] ?? 0) + 1;
			// 200 only for a real query that accepted its input (auth.me signed in, a list with defaults).
			if (r.crash || r.status === 500 || (r.status !== 200 && (r.status < 400 || r.status > 499)))
				wrong.push(`${c.method} /api/trpc/${show(c.path)} as ${c.who} ${show(c.body)}: ${r.status} ${r.crash ? String(r.crash) : ''}`);
		}
		expect(wrong, `seed ${SEED}`).toEqual([]);
		expect(tally[404]).toBeGreaterThan(10);
		expect(tally[400]).toBeGreaterThan(10);
		// …and the harness does get real answers: the signed-in admin's auth.me.
		expect((await send({ url: 'http://localhost/api/trpc/auth.me', handler: trpcGet, params: { trpc: 'auth.me' }, cookie: adminToken })).status).toBe(200);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
	});
});
