// 开户 through the signed ingest API (issue 12, point 1): the platform opens a merchant — the
// merchant, its four accounts at zero, its admin with an initial password sent by SMS that must be
// changed at first sign-in. Idempotent on 商户号; a phone the merchant's people already have, a
// different merchant under the same number, and an unsigned call are refused and write nothing.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { verifyPassword } from '#shared/server/auth/password.ts';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { handleIngest } from '#shared/server/ingest/handle.ts';
import { ingestPath, ingestSecret, signatureHeaders } from '#shared/server/ingest/signature.ts';
import { outboxText } from '#shared/server/sms/index.ts';
import { POST } from '../../src/routes/api/ingest/v1/[kind]/+server.ts';
import { makeStaff } from '../fixtures/merchant.ts';

const db = getDb();
let seq = 0;
/** A fresh 16-digit merchant number per case. */
const merchantNo = () => `20401231${String(Date.now() % 1e5).padStart(5, '0')}${String(++seq).padStart(3, '0')}`;
const opening = (no: string, extra: Record<string, unknown> = {}) => ({ merchant_no: no, name: '新开商户', admin_name: '钱管理', admin_phone: '13911112222', ...extra });

function signedRequest(body: unknown, headers: Record<string, string> | null = null) {
	const raw = JSON.stringify(body);
	const sig = headers ?? signatureHeaders(ingestSecret(), { method: 'POST', path: ingestPath('merchants'), body: raw });
	return new Request(`http://localhost${ingestPath('merchants')}`, { method: 'POST', headers: { 'content-type': 'application/json', ...sig }, body: raw });
}

/** Through the route, as the payment platform calls it. */
async function open(body: unknown, headers: Record<string, string> | null = null) {
	const res = await POST({ params: { kind: 'merchants' }, request: signedRequest(body, headers) } as never);
	return { status: res.status, body: (await res.json()) as { ok: boolean; created?: boolean; id?: string; code?: string; message?: string } };
}

const merchantOf = (no: string) => db.selectFrom('merchants').selectAll().where('merchant_no', '=', no).executeTakeFirst();
const staffOf = (id: bigint) => db.selectFrom('staff').selectAll().where('merchant_id', '=', id).orderBy('id').execute();
const smsTo = (id: bigint) => db.selectFrom('sms_outbox').selectAll().where('merchant_id', '=', id).orderBy('id').execute();

describe('POST /api/ingest/v1/merchants', () => {
	it('opens the merchant, its four accounts at zero and its admin, and texts the initial password that must be changed', async () => {
		const no = merchantNo();
		const r = await open(opening(no));
		expect(r).toMatchObject({ status: 200, body: { ok: true, created: true } });
		const m = (await merchantOf(no))!;
		expect(r.body.id).toBe(String(m.id));
		expect(m).toMatchObject({ name: '新开商户', status: 'ACTIVE' });

		const accounts = await db.selectFrom('accounts').select(['account_type', 'sub_type', 'balance']).where('merchant_id', '=', m.id).where('user_id', 'is', null).execute();
		const own = accounts.filter((a) => a.account_type !== 'CLEARING');
		expect(new Set(own.map((a) => a.account_type))).toEqual(new Set(['MCHOWN', 'MCHASSURE', 'MCHCOUPON', 'MCHFEE']));
		expect(own).toHaveLength(8);
		expect(own.every((a) => a.balance === 0n)).toBe(true);

		const [admin, ...others] = await staffOf(m.id);
		expect(others).toEqual([]);
		expect(admin).toMatchObject({ is_admin: true, name: '钱管理', phone: '13911112222', must_change_password: true, status: 'ACTIVE' });

		const [sms, ...more] = await smsTo(m.id);
		expect(more).toEqual([]);
		expect(sms).toMatchObject({ phone: '13911112222', purpose: 'INITIAL_PASSWORD', status: 'SENT' });
		// The stored body keeps no password; the whole text (kept encrypted for a while) has it.
		expect(sms.body).toContain('初始密码 ******,');
		expect(sms.body).toContain(no);
		const password = /初始密码 ([A-Za-z0-9]+),/.exec(outboxText(sms))?.[1];
		expect(password).toMatch(/^[A-Za-z0-9]{8,}$/);
		expect(await verifyPassword(admin.password_hash, password!)).toBe(true);

		// Signing in with it lands on 修改初始密码, as an operator's first sign-in does.
		const signedIn = await signIn(db, { merchantNo: no, phone: '13911112222', password: password! }, { ip: '203.0.113.9', userAgent: 'vitest' });
		expect(signedIn).toMatchObject({ ok: true, staff: { mustChangePassword: true } });

		const [audit] = await db.selectFrom('audit_log').select(['action', 'actor_name', 'staff_id', 'target_id', 'detail']).where('merchant_id', '=', m.id).execute();
		expect(audit).toMatchObject({ action: 'merchants.open', actor_name: '平台', staff_id: null, target_id: String(admin.id) });
		expect(JSON.stringify(audit.detail)).not.toContain('13911112222');
	});

	it('is idempotent on 商户号: the same call again answers with the same merchant and sends nothing', async () => {
		const no = merchantNo();
		const first = await open(opening(no));
		const again = await open(opening(no));
		expect(again).toEqual({ status: 200, body: { ok: true, created: false, id: first.body.id } });
		const m = (await merchantOf(no))!;
		expect(await staffOf(m.id)).toHaveLength(1);
		expect(await smsTo(m.id)).toHaveLength(1);
	});

	it('two identical calls at once open one merchant with one admin and one SMS', async () => {
		const no = merchantNo();
		const both = await Promise.all([open(opening(no)), open(opening(no))]);
		expect(both.map((r) => r.status)).toEqual([200, 200]);
		expect(both.map((r) => r.body.created).sort()).toEqual([false, true]);
		expect(both[0].body.id).toBe(both[1].body.id);
		const m = (await merchantOf(no))!;
		expect(await staffOf(m.id)).toHaveLength(1);
		expect(await smsTo(m.id)).toHaveLength(1);
	});

	it("refuses a phone already used by that merchant's people, and another merchant under the same number; nothing is written", async () => {
		const no = merchantNo();
		await open(opening(no));
		const m = (await merchantOf(no))!;
		const operator = await makeStaff(db, m.id, { phone: '13933334444', name: '孙操作' });
		const before = { staff: await staffOf(m.id), sms: await smsTo(m.id) };

		const taken = await open(opening(no, { admin_phone: operator.phone }));
		expect(taken).toEqual({ status: 409, body: { ok: false, code: 'PHONE_TAKEN', message: '该手机号已是此商户的人员' } });
		const renamed = await open(opening(no, { name: '另一个商户' }));
		expect(renamed).toEqual({ status: 409, body: { ok: false, code: 'MERCHANT_CONFLICT', message: '商户号已开户且信息不一致' } });
		const otherAdmin = await open(opening(no, { admin_phone: '13955556666' }));
		expect(otherAdmin.body.code).toBe('MERCHANT_CONFLICT');

		expect((await merchantOf(no))!.name).toBe('新开商户');
		expect(await staffOf(m.id)).toEqual(before.staff);
		expect(await smsTo(m.id)).toEqual(before.sms);
	});

	it('requires the signature: unsigned, wrongly signed or signed for another kind is 401 and opens nothing', async () => {
		const no = merchantNo();
		const body = opening(no);
		const raw = JSON.stringify(body);
		const now = Math.floor(Date.now() / 1000);
		const forUsers = signatureHeaders(ingestSecret(), { method: 'POST', path: ingestPath('users'), body: raw });
		const cases: Record<string, string>[] = [
			{},
			{ 'X-Signature-Timestamp': String(now) },
			{ 'X-Signature-Timestamp': String(now), 'X-Signature': '0'.repeat(64) },
			signatureHeaders('not-the-platform-secret', { method: 'POST', path: ingestPath('merchants'), body: raw }),
			forUsers
		];
		for (const headers of cases) {
			const r = await open(body, headers);
			expect(r.status).toBe(401);
			expect(r.body.ok).toBe(false);
			expect(r.body.code).toMatch(/^SIGNATURE_/);
		}
		expect(await merchantOf(no)).toBeUndefined();
	});

	it('refuses a malformed opening with the reason, and writes nothing', async () => {
		const no = merchantNo();
		for (const [body, reason] of [
			[opening(no, { admin_phone: '1391111222' }), '手机号格式有误'],
			[opening(no, { merchant_no: '123' }), '商户号必须是16位数字'],
			[opening(no, { name: '' }), '请求参数有误: name'],
			[opening(no, { admin_name: '钱\u0000' }), 'admin_name 含有不允许的字符']
		] as const) {
			const r = await handleIngest(db, {
				method: 'POST',
				kind: 'merchants',
				body: JSON.stringify(body),
				headers: new Headers(signatureHeaders(ingestSecret(), { method: 'POST', path: ingestPath('merchants'), body: JSON.stringify(body) }))
			});
			expect(r).toEqual({ status: 400, body: { ok: false, code: 'BAD_INPUT', message: reason } });
		}
		const n = await sql<{ n: string }>`SELECT count(*)::text AS n FROM merchants WHERE merchant_no = ${no}`.execute(db);
		expect(n.rows[0].n).toBe('0');
	});
});
