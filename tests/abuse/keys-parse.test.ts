// Abuse: uploads that used to hold the web process. node-forge took a .p12's MAC and PBE
// iteration counts from the file and hashed synchronously before it could tell the password
// was wrong: one file asking for 2^31-1 iterations froze every merchant's requests for an hour.
// Each attack goes in as a person holding every keys permission would send it (tRPC over
// HTTP, English answers) and is judged by what they and everyone else would see: a refusal
// with its message within a second, nothing stored, and the event loop ticking throughout.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { getDb } from '#db';
import type { Permission } from '#shared/permissions.ts';
import { ParsePool, parsePool } from '#shared/server/keys/parse-pool.ts';
import { captureLogs } from '#shared/server/log.ts';
import { contextOf, httpCall, type Person } from '../keys-api/context.ts';
import { fakeRsa, hiddenBombP12, patchedP12 } from '../keys/crafted.ts';
import { alipayForm, makeP12, merchantWithStaff, rsa, WECHAT_MCH_ID, wechatForm } from '../keys/fixtures.ts';

const db = getDb();
const ALL_KEYS: Permission[] = ['keys.platform.write', 'keys.list.read', 'keys.alipay.write', 'keys.wechat.write'];
const PASSWORD = 'Cert-Pass-9090';
const P12 = { mchId: WECHAT_MCH_ID, password: PASSWORD };
const MAX_INT32 = 2 ** 31 - 1;

type Answer = { status: number; json: { error?: { data: { fieldErrors: Record<string, string> | null } } } };

/**
 * Runs `work` while a 10 ms interval measures how late the event loop gets to it: the
 * longest gap between ticks is the longest any other merchant's request would have waited.
 */
async function watched<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; longestStallMs: number }> {
	let last = performance.now();
	let longest = 0;
	const tick = () => {
		const t = performance.now();
		longest = Math.max(longest, t - last);
		last = t;
	};
	const timer = setInterval(tick, 10);
	const started = performance.now();
	try {
		const value = await work();
		const ms = performance.now() - started;
		tick();
		return { value, ms, longestStallMs: longest };
	} finally {
		clearInterval(timer);
	}
}

async function send(who: Person, path: string, input: unknown) {
	return watched(async () => (await httpCall(contextOf(db, who, ALL_KEYS, 'en'), path, 'mutation', input)) as Answer);
}

const fieldErrors = (a: Answer) => a.json.error?.data.fieldErrors;

async function storedFor(who: Person) {
	const [keys, platform, audit] = await Promise.all([
		db.selectFrom('payment_keys').select('id').where('merchant_id', '=', who.merchantId).execute(),
		db.selectFrom('platform_keys').select('merchant_id').where('merchant_id', '=', who.merchantId).execute(),
		db.selectFrom('audit_log').select('id').where('merchant_id', '=', who.merchantId).execute()
	]);
	return { keys: keys.length, platform: platform.length, audit: audit.length };
}

const wechatInput = (file: Buffer) => wechatForm(file, PASSWORD);

const alipayInput = alipayForm;

const ITERATIONS_REFUSED =
	'The certificate file asks for an abnormally high key-derivation iteration count (WeChat’s certificates use about 2048); it is not the apiclient_cert.p12 from the WeChat Pay console and was refused';

beforeAll(async () => {
	// A running server has its parse worker warm; the first start (tsx compiling the worker
	// under vitest) is not what an attacker can make slow, so it is not measured.
	await parsePool.run('publicKey', rsa(2048, 'merchant').spkiPem);
});

describe('iteration-bomb .p12 uploads (keys.wechat.save)', () => {
	const bombs: [string, () => Buffer][] = [
		['MacData.iterations = 2^31-1', () => patchedP12(P12, { mac: MAX_INT32 })],
		['a MAC iteration INTEGER of 2^40-1 (past 32 bits)', () => patchedP12(P12, { mac: Buffer.from('00ffffffffff', 'hex') })],
		['the shrouded key bag’s PBE iterations = 2^31-1', () => patchedP12(P12, { keyBag: MAX_INT32 })],
		['the bomb bag inside an encrypted safe, behind a MAC that the password opens', () => hiddenBombP12(P12, MAX_INT32)],
		['four derivations at 10,000 iterations each: no single count too high, too much together', () => patchedP12({ ...P12, count: 10_000 }, { keyBagCopies: 3 })]
	];

	it.each(bombs)('%s: refused with the reason within 1 s, nothing stored, the event loop never stalls', async (_name, make) => {
		const who = await merchantWithStaff(db);
		const { value, ms, longestStallMs } = await send(who, 'keys.wechat.save', wechatInput(make()));
		expect(value.status).toBe(400);
		expect(fieldErrors(value)).toEqual({ certP12: ITERATIONS_REFUSED });
		expect(ms).toBeLessThan(1000);
		expect(longestStallMs).toBeLessThan(1000);
		expect(await storedFor(who)).toEqual({ keys: 0, platform: 0, audit: 0 });
	});

	it('the refusal reads in Chinese for a Chinese-speaking person', async () => {
		const who = await merchantWithStaff(db);
		const answer = await httpCall(contextOf(db, who, ALL_KEYS, 'zh-CN'), 'keys.wechat.save', 'mutation', wechatInput(patchedP12(P12, { mac: MAX_INT32 })));
		expect(fieldErrors(answer as Answer)?.certP12).toBe('证书文件要求的密钥派生迭代次数异常大 (微信签发的证书为 2048 次左右), 不是微信商户平台下载的 apiclient_cert.p12, 已拒绝');
	});

	it('real certificates still open: WeChat’s 2048 iterations, and a file at 10,000', async () => {
		for (const count of [2048, 10_000]) {
			const who = await merchantWithStaff(db);
			const { value } = await send(who, 'keys.wechat.save', wechatInput(makeP12({ ...P12, count })));
			expect(value.status, `count ${count}`).toBe(200);
			expect(await storedFor(who)).toMatchObject({ keys: 1, audit: 1 });
		}
	});

	it('the crafted files are otherwise well formed: with honest counts they open (their MAC is right)', async () => {
		for (const file of [patchedP12(P12, { keyBag: 2048 }), hiddenBombP12(P12, 2048)]) {
			const who = await merchantWithStaff(db);
			const { value } = await send(who, 'keys.wechat.save', wechatInput(file));
			expect(value.status).toBe(200);
		}
	});
});

describe('a flood of honest uploads', () => {
	it('past the parse workers and their queue, uploads are answered 429 “try again” (not a refusal of the file), nothing stored for them', async () => {
		// Legal but heavy (10,000 iterations): 40 at once from 40 merchants outrun 2 workers and 16 waiting places.
		const file = makeP12({ ...P12, count: 10_000 });
		const people = await Promise.all(Array.from({ length: 40 }, () => merchantWithStaff(db)));
		const answers = await Promise.all(people.map((who) => httpCall(contextOf(db, who, ALL_KEYS, 'en'), 'keys.wechat.save', 'mutation', wechatInput(file)) as Promise<Answer>));
		const busy = answers.flatMap((a, i) => (a.status === 429 ? [people[i]] : []));
		expect(busy.length).toBeGreaterThan(0);
		expect(answers.filter((a) => a.status !== 200 && a.status !== 429)).toEqual([]);
		for (const a of answers.filter((a) => a.status === 429)) {
			expect(JSON.stringify(a.json)).toContain('Too many certificates and keys are being checked right now; try again in a moment');
			expect(fieldErrors(a)).toBeNull();
		}
		for (const who of busy) expect(await storedFor(who)).toEqual({ keys: 0, platform: 0, audit: 0 });
	});
});

describe('oversize and abnormal RSA keys', () => {
	const big = fakeRsa(8192);
	const tooLarge = (bits: number) => `The key has ${bits} bits; at most 4096 are accepted`;
	const badExponent = 'The RSA key has an abnormal public exponent; it is not a normally generated key';

	it('an 8192-bit 商户私钥 or 支付宝公钥 is refused by its size, nothing stored', async () => {
		const who = await merchantWithStaff(db);
		const { value } = await send(who, 'keys.alipay.save', alipayInput({ privateKey: big.pkcs8Pem, alipayPublicKey: fakeRsa(8192).spkiPem }));
		expect(value.status).toBe(400);
		expect(fieldErrors(value)).toEqual({ privateKey: tooLarge(8192), alipayPublicKey: tooLarge(8192) });
		expect(await storedFor(who)).toEqual({ keys: 0, platform: 0, audit: 0 });
	});

	it('a 16,384-bit 商户公钥 is refused by its size; exponents no generator makes are refused', async () => {
		const who = await merchantWithStaff(db);
		const cases: [string, string][] = [
			[fakeRsa(16_384).spkiPem, tooLarge(16_384)],
			[fakeRsa(2048, 2n ** 64n + 1n).spkiPem, badExponent],
			[fakeRsa(2048, 65_538n).spkiPem, badExponent],
			[fakeRsa(2048, 1n).spkiPem, badExponent]
		];
		for (const [publicKey, message] of cases) {
			const { value } = await send(who, 'keys.platform.setPublicKey', { publicKey });
			expect(value.status).toBe(400);
			expect(fieldErrors(value)).toEqual({ publicKey: message });
		}
		expect(await storedFor(who)).toEqual({ keys: 0, platform: 0, audit: 0 });
	});

	it('a .p12 whose key pair claims 8192 bits is refused by its size', async () => {
		const who = await merchantWithStaff(db);
		const { value } = await send(who, 'keys.wechat.save', wechatInput(makeP12({ ...P12, pair: fakeRsa(8192).forge })));
		expect(fieldErrors(value)).toEqual({ certP12: tooLarge(8192) });
		expect(await storedFor(who)).toEqual({ keys: 0, platform: 0, audit: 0 });
	});
});

describe('the parse worker’s budget: what holds if a bound is ever missed', () => {
	const pools: ParsePool[] = [];
	afterAll(() => Promise.all(pools.map((p) => p.close())));
	const pool = (options: ConstructorParameters<typeof ParsePool>[0]) => {
		const p = new ParsePool(options);
		pools.push(p);
		return p;
	};
	// Legal but the heaviest kind of real file: MAC and key bag at 10,000 iterations (~0.1 s of hashing).
	const heavy = makeP12({ ...P12, count: 10_000 });

	it('a parse past its budget is cut off and its worker terminated, while the event loop runs on', async () => {
		const strict = pool({ timeoutMs: 5 });
		const logged = captureLogs('warn');
		onTestFinished(() => logged.stop());
		const { value, longestStallMs } = await watched(() => strict.run('openP12', heavy, PASSWORD, WECHAT_MCH_ID, new Date()));
		expect(value).toEqual({ ok: false, refusal: 'keys.parseTimeout' });
		expect(strict.terminated).toBe(1);
		// The operator is told which task was cut off.
		expect(logged.entries().map((line) => `${line.level} ${line.msg}`)).toEqual([expect.stringMatching(/^warn \[keys\] parse task openP12 ran past 5 ms after \d+ ms: refused, worker terminated$/)]);
		expect(longestStallMs).toBeLessThan(1000);
		// The same file within the real budget opens: the cut-off was the budget, not the file.
		const opened = await pool({}).run('openP12', heavy, PASSWORD, WECHAT_MCH_ID, new Date());
		expect(opened).toMatchObject({ ok: true, value: { ok: true } });
	});

	it('when every worker is taken and the queue is full, the next task is refused as busy, not queued without end', async () => {
		const small = pool({ maxWorkers: 1, maxWaiting: 1 });
		const file = makeP12(P12);
		const run = () => small.run('openP12', file, PASSWORD, WECHAT_MCH_ID, new Date());
		const [first, second, third] = await Promise.all([run(), run(), run()]);
		expect(first).toMatchObject({ ok: true });
		expect(second).toMatchObject({ ok: true });
		expect(third).toEqual({ ok: false, refusal: 'keys.parseBusy' });
	});
});
