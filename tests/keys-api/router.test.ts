// The keys router: who may call what, merchants never see each other's entries, and refused
// input comes back with every field's message in the person's language.
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import type { Permission } from '#shared/permissions.ts';
import { alipayForm, makeP12, merchantWithStaff, rsa, WECHAT_MCH_ID, wechatForm } from '../keys/fixtures.ts';
import { rejection } from '../fixtures/outcome.ts';
import { callerOf, contextOf, httpCall, type Person } from './context.ts';

const db = getDb();
const CERT_PASSWORD = 'Cert-Pass-0412';
const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: CERT_PASSWORD });
const ALL_KEYS: Permission[] = ['keys.platform.write', 'keys.list.read', 'keys.alipay.write', 'keys.wechat.write'];

const wechatInput = (over: Record<string, unknown> = {}) => wechatForm(p12, CERT_PASSWORD, over);
const alipayInput = alipayForm;

let a: Person;
let b: Person;
let wechatId: bigint;
let alipayId: bigint;
beforeAll(async () => {
	a = await merchantWithStaff(db, '甲操作');
	b = await merchantWithStaff(db, '乙操作');
	const admin = callerOf(db, a, ALL_KEYS);
	wechatId = (await admin.keys.wechat.save(wechatInput())).id;
	alipayId = (await admin.keys.alipay.save(alipayInput())).id;
	await admin.keys.platform.setPublicKey({ publicKey: rsa(2048, 'platform').spkiPem });
});

describe('permissions per procedure', () => {
	type Call = (c: ReturnType<typeof callerOf>) => Promise<unknown>;
	const procedures: [string, Permission, Call][] = [
		['keys.list', 'keys.list.read', (c) => c.keys.list({ provider: 'WECHAT' })],
		['keys.get', 'keys.list.read', (c) => c.keys.get({ id: alipayId })],
		['keys.wechat.list', 'keys.wechat.write', (c) => c.keys.wechat.list()],
		['keys.wechat.get', 'keys.wechat.write', (c) => c.keys.wechat.get({ id: wechatId })],
		['keys.wechat.save', 'keys.wechat.write', (c) => c.keys.wechat.save({ ...wechatInput(), id: wechatId, apiKey: undefined, certP12Base64: undefined, certPassword: undefined })],
		['keys.wechat.setStatus', 'keys.wechat.write', (c) => c.keys.wechat.setStatus({ id: wechatId, status: 'ENABLED' })],
		['keys.alipay.list', 'keys.alipay.write', (c) => c.keys.alipay.list()],
		['keys.alipay.get', 'keys.alipay.write', (c) => c.keys.alipay.get({ id: alipayId })],
		['keys.alipay.save', 'keys.alipay.write', (c) => c.keys.alipay.save({ ...alipayInput(), id: alipayId, privateKey: undefined, alipayPublicKey: undefined, md5Key: undefined })],
		['keys.alipay.setStatus', 'keys.alipay.write', (c) => c.keys.alipay.setStatus({ id: alipayId, status: 'ENABLED' })],
		['keys.platform.get', 'keys.platform.write', (c) => c.keys.platform.get()],
		['keys.platform.setPublicKey', 'keys.platform.write', (c) => c.keys.platform.setPublicKey({ publicKey: rsa(2048, 'platform').spkiPem })],
		['keys.platform.verify', 'keys.platform.write', (c) => c.keys.platform.verify({ body: 'a=1', signature: 'AAAA' })]
	];

	it.each(procedures)('%s needs %s and nothing else will do', async (_path, needed, call) => {
		await expect(call(callerOf(db, a, [needed]))).resolves.toBeDefined();
		const others = ALL_KEYS.filter((p) => p !== needed);
		for (const other of others) expect((await rejection(call(callerOf(db, a, [other])))).code, `${_path} with only ${other}`).toBe('FORBIDDEN');
		expect((await rejection(call(callerOf(db, a, others)))).code, `${_path} with every other keys permission`).toBe('FORBIDDEN');
		expect((await rejection(call(callerOf(db, a, ['payments.read'])))).code).toBe('FORBIDDEN');
	});

	it('the certificate warning is for anyone with a keys permission, and no one else', async () => {
		for (const p of ALL_KEYS) await expect(callerOf(db, a, [p]).keys.expiring()).resolves.toBeInstanceOf(Array);
		expect((await rejection(callerOf(db, a, ['payments.read', 'accounts.read']).keys.expiring())).code).toBe('FORBIDDEN');
	});

	it('signed out is UNAUTHORIZED', async () => {
		const { createCaller } = await import('#shared/server/api/root.ts');
		const anon = createCaller({ db, auth: null, locale: 'zh-CN', ip: null, userAgent: null });
		expect((await rejection(anon.keys.platform.get())).code).toBe('UNAUTHORIZED');
		expect((await rejection(anon.keys.list({ provider: 'ALIPAY' }))).code).toBe('UNAUTHORIZED');
	});
});

describe('merchants are separate', () => {
	it("another merchant's entry is NOT_FOUND on every procedure that takes an id", async () => {
		const other = callerOf(db, b, ALL_KEYS);
		const refused: (() => Promise<unknown>)[] = [
			() => other.keys.get({ id: wechatId }),
			() => other.keys.wechat.get({ id: wechatId }),
			() => other.keys.wechat.setStatus({ id: wechatId, status: 'DISABLED' }),
			() => other.keys.wechat.save({ ...wechatInput(), id: wechatId }),
			() => other.keys.alipay.get({ id: alipayId }),
			() => other.keys.alipay.setStatus({ id: alipayId, status: 'DISABLED' }),
			() => other.keys.alipay.save({ ...alipayInput(), id: alipayId })
		];
		for (const call of refused) {
			const e = await rejection(call());
			expect(e.code).toBe('NOT_FOUND');
			expect(e.message).toBe('error.notFound');
		}
		expect(await other.keys.wechat.list()).toEqual([]);
		expect(await other.keys.list({ provider: 'ALIPAY' })).toEqual([]);
		expect((await other.keys.platform.get()).merchantPublicKey).toBeNull();
		// Nothing of A's changed.
		const mine = await callerOf(db, a, ALL_KEYS).keys.wechat.get({ id: wechatId });
		expect(mine.status).toBe('ENABLED');
		expect(mine.updatedBy?.id).toBe(a.staffId);
	});

	it("one tab cannot reach the other tab's entries", async () => {
		const admin = callerOf(db, a, ALL_KEYS);
		expect((await rejection(admin.keys.wechat.setStatus({ id: alipayId, status: 'DISABLED' }))).code).toBe('NOT_FOUND');
		expect((await rejection(admin.keys.alipay.get({ id: wechatId }))).code).toBe('NOT_FOUND');
		// A person who may only edit WeChat entries cannot disable an Alipay one through the WeChat tab.
		expect((await rejection(callerOf(db, a, ['keys.wechat.write']).keys.wechat.setStatus({ id: alipayId, status: 'DISABLED' }))).code).toBe('NOT_FOUND');
		expect((await admin.keys.alipay.get({ id: alipayId })).status).toBe('ENABLED');
	});
});

describe('enable / disable', () => {
	it('switches the status, records who did it and audits it', async () => {
		const c = callerOf(db, a, ['keys.alipay.write']);
		const off = await c.keys.alipay.setStatus({ id: alipayId, status: 'DISABLED' });
		expect(off.status).toBe('DISABLED');
		expect(off.updatedBy).toEqual({ id: a.staffId, name: '甲操作' });
		const on = await c.keys.alipay.setStatus({ id: alipayId, status: 'ENABLED' });
		expect(on.status).toBe('ENABLED');
		const audit = await db
			.selectFrom('audit_log')
			.select(['action', 'ip', 'user_agent', 'actor_name'])
			.where('merchant_id', '=', a.merchantId)
			.where('target_id', '=', alipayId.toString())
			.where('action', 'in', ['keys.enable', 'keys.disable'])
			.orderBy('id')
			.execute();
		expect(audit.map((r) => r.action)).toEqual(['keys.disable', 'keys.enable']);
		expect(audit[0]).toMatchObject({ ip: '203.0.113.9', user_agent: 'vitest', actor_name: '甲操作' });
	});
});

describe('field errors', () => {
	it('a refused save names every bad field (caller)', async () => {
		const e = await rejection(
			callerOf(db, b, ['keys.wechat.write']).keys.wechat.save(
				wechatInput({ mchId: '12ab', appid: 'wx123', apiKey: 'short', certP12Base64: undefined })
			)
		);
		expect(e.code).toBe('BAD_REQUEST');
		const issues = (e.cause as unknown as { issues: { field: string; key: string }[] }).issues;
		expect(Object.fromEntries(issues.map((i) => [i.field, i.key]))).toEqual({
			mchId: 'keys.wechat.mchIdInvalid',
			appid: 'keys.wechat.appidInvalid',
			apiKey: 'keys.wechat.apiKeyInvalid',
			certP12: 'keys.wechat.certRequired'
		});
	});

	it('over HTTP every field message arrives translated, in Chinese and in English', async () => {
		const input = alipayInput({ pid: '1234', appid: 'x', signType: 'RSA', md5Key: 'bad' });
		const zh = await httpCall(contextOf(db, b, ['keys.alipay.write'], 'zh-CN'), 'keys.alipay.save', 'mutation', input);
		expect(zh.status).toBe(400);
		const zhError = (zh.json as { error: { message: string; data: { fieldErrors: Record<string, string> } } }).error;
		expect(zhError.data.fieldErrors).toEqual({
			pid: '合作者身份(PID) 应为 2088 开头的 16 位数字',
			appid: '支付宝 appid 应为 16 位数字',
			// RSA means 1024 bits: both 2048-bit keys are refused with their sizes.
			privateKey: '私钥类型 RSA 需要 1024 位私钥, 当前私钥为 2048 位',
			alipayPublicKey: '私钥类型 RSA 需要 1024 位公钥, 当前公钥为 2048 位',
			md5Key: 'md5Key 应为 32 位字母或数字'
		});
		expect(zhError.message).toBe('合作者身份(PID) 应为 2088 开头的 16 位数字');

		const en = await httpCall(contextOf(db, b, ['keys.alipay.write'], 'en'), 'keys.alipay.save', 'mutation', input);
		const enError = (en.json as { error: { data: { fieldErrors: Record<string, string> } } }).error;
		expect(enError.data.fieldErrors.privateKey).toBe('Key type RSA needs a 1024-bit private key; this one has 2048 bits');
		expect(enError.data.fieldErrors.pid).toBe('The partner ID (PID) must be 16 digits starting with 2088');
	});

	it('a wrong certificate password lands under 退款证书密码; a swapped key under its field', async () => {
		const c = contextOf(db, b, ['keys.wechat.write', 'keys.alipay.write', 'keys.platform.write']);
		const wrong = await httpCall(c, 'keys.wechat.save', 'mutation', wechatInput({ certPassword: 'nope' }));
		expect((wrong.json as { error: { data: { fieldErrors: Record<string, string> } } }).error.data.fieldErrors).toEqual({
			certPassword: '退款证书密码错误, 无法打开证书文件 (默认密码是微信商户号)'
		});
		const swapped = await httpCall(c, 'keys.alipay.save', 'mutation', alipayInput({ privateKey: rsa(2048, 'merchant').spkiPem }));
		expect((swapped.json as { error: { data: { fieldErrors: Record<string, string> } } }).error.data.fieldErrors.privateKey).toBe(
			'这里填的是公钥, 不是私钥: 公钥和私钥填反了'
		);
		const privateAsPublic = await httpCall(c, 'keys.platform.setPublicKey', 'mutation', { publicKey: rsa(2048, 'merchant').pkcs8Pem });
		expect(privateAsPublic.status).toBe(400);
		expect((privateAsPublic.json as { error: { data: { fieldErrors: Record<string, string> } } }).error.data.fieldErrors.publicKey).toMatch(/这是私钥/);
	});

	it('zod refusals keep their shape (fieldErrors from the schema)', async () => {
		const r = await httpCall(contextOf(db, b, ['keys.wechat.write']), 'keys.wechat.save', 'mutation', wechatInput({ signType: 'DSA' }));
		expect(r.status).toBe(400);
		expect((r.json as { error: { data: { fieldErrors: Record<string, string> } } }).error.data.fieldErrors).toEqual({
			signType: '私钥类型只能是 RSA 或 RSA2'
		});
	});

	it('a certificate over 64 KB is refused before it is read', async () => {
		const big = Buffer.alloc(70 * 1024, 7).toString('base64');
		const e = await rejection(callerOf(db, b, ['keys.wechat.write']).keys.wechat.save(wechatInput({ certP12Base64: big })));
		expect(e.code).toBe('BAD_REQUEST');
	});
});

describe('签名验证 over the API', () => {
	it('says valid with the algorithm for both MD5withRSA and SHA256withRSA, invalid otherwise', async () => {
		const { createSign } = await import('node:crypto');
		const key = rsa(2048, 'platform');
		const c = callerOf(db, a, ['keys.platform.write']);
		const body = '{"oid_partner":"2018062800003003","money_order":"0.01"}';
		for (const [alg, hash] of [['MD5withRSA', 'md5'], ['SHA256withRSA', 'sha256']] as const) {
			const signature = createSign(hash).update(body).sign(key.privateKey).toString('base64');
			expect(await c.keys.platform.verify({ body, signature })).toEqual({ valid: true, algorithm: alg });
			expect(await c.keys.platform.verify({ body: body + ' ', signature })).toEqual({ valid: false, algorithm: null });
		}
		expect((await rejection(callerOf(db, b, ['keys.platform.write']).keys.platform.verify({ body, signature: 'AAAA' }))).message).toBe(
			'keys.platform.publicKeyNotSet'
		);
	});
});
