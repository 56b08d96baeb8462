// The statement API for machines (issue 10, item 6): a request signed with the merchant's RSA
// private key downloads the file the UI downloads, byte for byte; forged, stale, replayed or
// cross-merchant requests are refused with the right status, and every call is audited.
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { closeFilePool, readFileBytes } from '#shared/server/files/index.ts';
import { pruneSecurityData } from '#shared/server/retention.ts';
import { openMerchantAccounts } from '#shared/server/ledger/index.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { addDays, yesterday } from '#shared/time.ts';
import { GET as apiGet } from '../../src/routes/api/v1/statements/[date]/+server.ts';
import { GET as fileGet } from '../../src/routes/files/[id]/+server.ts';
import { signedIn } from '../fixtures/context.ts';
import { atHour, pay } from '../fixtures/ledger.ts';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
import { requestEvent } from '../fixtures/request-event.ts';

const db = getDb();
const day = addDays(yesterday(), -2);
const keysA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keysB = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: typeof keysA) => k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
let a: Awaited<ReturnType<typeof makeMerchant>>;
let b: Awaited<ReturnType<typeof makeMerchant>>;
let csvFileId: bigint;
let xlsxFileId: bigint;

async function merchantWithKey(keys: typeof keysA) {
	const m = await makeMerchant(db);
	await openMerchantAccounts(db, m.id);
	// 参数管理 → 连连账户+: the merchant's public key as the page saves it.
	await db.insertInto('platform_keys').values({ merchant_id: m.id, merchant_public_key: pem(keys), fingerprint: 'test' }).execute();
	return m;
}

interface Call {
	path?: string;
	merchantNo?: string;
	key?: typeof keysA;
	timestamp?: number;
	nonce?: string;
	sign?: string;
	range?: string;
}

/** GET as a merchant's system sends it: the signature over method, path + query, timestamp and nonce. */
async function call(date: string, query: string, c: Call = {}) {
	const path = c.path ?? `/api/v1/statements/${date}${query}`;
	const timestamp = String(c.timestamp ?? Math.floor(Date.now() / 1000));
	const nonce = c.nonce ?? randomBytes(16).toString('hex');
	const text = `GET\n${c.sign ?? path}\n${timestamp}\n${nonce}`;
	const signature = createSign('RSA-SHA256').update(text).sign((c.key ?? keysA).privateKey, 'base64');
	const headers: Record<string, string> = { 'X-Merchant-No': c.merchantNo ?? a.merchant_no, 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': signature };
	if (c.range) headers.Range = c.range;
	const res = await apiGet(requestEvent(`http://localhost${path}`, { params: { date }, init: { headers } }) as never);
	return { res, nonce, timestamp };
}

async function audits(merchantId: bigint) {
	return db.selectFrom('audit_log').select(['action', 'detail', 'staff_id']).where('merchant_id', '=', merchantId).where('action', '=', 'statements.api').orderBy('id').execute();
}

beforeAll(async () => {
	a = await merchantWithKey(keysA);
	b = await merchantWithKey(keysB);
	for (const [m, amount] of [[a, 12_345n], [b, 999n]] as const)
		await pay(db, m.id, { txnType: 'MCH_TOPUP', payeeAccountType: 'MCHOWN', amount, at: atHour(day, 11) });
	const s = await upsertStatement(db, a.id, day);
	const r = await buildStatement(db, s.id);
	if (r.outcome !== 'built') throw new Error('not built');
	({ csvFileId, xlsxFileId } = r);
	const sb = await upsertStatement(db, b.id, day);
	await buildStatement(db, sb.id);
});

afterAll(closeFilePool);

describe('GET /api/v1/statements/{date}', () => {
	it('downloads the same bytes as the UI, CSV and XLSX, and resumes with Range', async () => {
		const admin = await makeStaff(db, a.id, { isAdmin: true });
		const ui = await fileGet(requestEvent(`http://localhost/files/${csvFileId}`, { params: { id: String(csvFileId) }, locals: { auth: signedIn(a, admin), locale: 'zh-CN' } }) as never);
		expect(ui.status).toBe(200);
		const uiBytes = Buffer.from(await ui.arrayBuffer());

		const { res } = await call(day, '?format=csv');
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		const apiBytes = Buffer.from(await res.arrayBuffer());
		expect(apiBytes.equals(uiBytes)).toBe(true);
		expect(apiBytes.equals(await readFileBytes(csvFileId))).toBe(true);
		expect(apiBytes.toString('utf8')).toContain('123.45');

		const x = await call(day, '?format=xlsx');
		expect(x.res.status).toBe(200);
		expect(Buffer.from(await x.res.arrayBuffer()).equals(await readFileBytes(xlsxFileId))).toBe(true);

		// No format: the CSV.
		const plain = await call(day, '');
		expect(Buffer.from(await plain.res.arrayBuffer()).equals(uiBytes)).toBe(true);

		const part = await call(day, '?format=csv', { range: 'bytes=10-' });
		expect(part.res.status).toBe(206);
		expect(Buffer.from(await part.res.arrayBuffer()).equals(uiBytes.subarray(10))).toBe(true);
	});

	it('refuses a wrong signature, a stale timestamp, a reused nonce and another merchant with the right status', async () => {
		const before = (await audits(a.id)).length;
		// Signed with another key (merchant B's) while naming merchant A.
		expect((await call(day, '?format=csv', { key: keysB })).res.status).toBe(401);
		// Signed over another path than the one asked for (the query changed after signing).
		expect((await call(day, '?format=xlsx', { sign: `/api/v1/statements/${day}?format=csv` })).res.status).toBe(401);
		// Ten minutes old.
		const stale = await call(day, '?format=csv', { timestamp: Math.floor(Date.now() / 1000) - 600 });
		expect(stale.res.status).toBe(401);
		expect(((await stale.res.json()) as { code: string }).code).toBe('STALE_TIMESTAMP');
		// The same request twice: the second is a replay.
		const first = await call(day, '?format=csv');
		expect(first.res.status).toBe(200);
		await first.res.arrayBuffer();
		const replay = await call(day, '?format=csv', { nonce: first.nonce, timestamp: Number(first.timestamp) });
		expect(replay.res.status).toBe(409);
		expect(((await replay.res.json()) as { code: string }).code).toBe('NONCE_REUSED');
		// Merchant A's key cannot fetch merchant B's day, however it names B.
		expect((await call(day, '?format=csv', { merchantNo: b.merchant_no })).res.status).toBe(401);
		// Unsigned.
		const bare = await apiGet(requestEvent(`http://localhost/api/v1/statements/${day}`, { params: { date: day } }) as never);
		expect(bare.status).toBe(401);

		const outcomes = (await audits(a.id)).slice(before).map((r) => (r.detail as { outcome: string }).outcome);
		expect(outcomes).toEqual(['badSignature', 'badSignature', 'staleTimestamp', 'served', 'replayedNonce']);
		expect((await audits(b.id)).some((r) => (r.detail as { outcome: string }).outcome === 'badSignature')).toBe(true);
	});

	it('the hourly upkeep forgets nonces past their expiry and keeps the ones that could still be replayed', async () => {
		const used = await call(day, '?format=csv');
		expect(used.res.status).toBe(200);
		await used.res.arrayBuffer();
		await db.insertInto('statement_api_nonces').values({ merchant_id: a.id, nonce: 'long-expired-nonce-0001', expires_at: new Date(Date.now() - 60_000) }).execute();
		const pruned = await pruneSecurityData(db);
		expect(pruned.statementNonces).toBeGreaterThanOrEqual(1);
		const left = (await db.selectFrom('statement_api_nonces').select('nonce').where('merchant_id', '=', a.id).execute()).map((r) => r.nonce);
		expect(left).not.toContain('long-expired-nonce-0001');
		expect(left).toContain(used.nonce);
		const replay = await call(day, '?format=csv', { nonce: used.nonce, timestamp: Number(used.timestamp) });
		expect(replay.res.status).toBe(409);
	});

	it('answers 404 with a reason when the day is not ready, 400 for a bad date or format', async () => {
		const missing = await call(yesterday(), '?format=csv');
		expect(missing.res.status).toBe(404);
		expect(((await missing.res.json()) as { code: string }).code).toBe('STATEMENT_NOT_BUILT');
		const s = await upsertStatement(db, a.id, addDays(day, -1));
		expect(s.status).toBe('PENDING');
		const pending = await call(addDays(day, -1), '?format=csv');
		expect(pending.res.status).toBe(404);
		expect(((await pending.res.json()) as { code: string }).code).toBe('STATEMENT_BUILDING');
		expect((await call(day, '?format=pdf')).res.status).toBe(400);
		expect((await call('2026-02-30', '?format=csv')).res.status).toBe(400);
		const all = await audits(a.id);
		expect(all.every((r) => r.staff_id === null)).toBe(true);
		expect(all.at(-1)!.detail).toMatchObject({ accountingDate: '2026-02-30', outcome: 'badRequest' });
	});
});
