// Behind a reverse proxy every connection comes from the proxy. The built server (`node build`),
// started here on its own database with LOGIN_IP_MAX_FAILURES=3, twice: once configured as the
// README's Deployment section says (ADDRESS_HEADER=X-Forwarded-For, XFF_DEPTH=1,
// PROTOCOL_HEADER, HOST_HEADER), and once without, to show what that setting prevents.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '#db';
import { migrateToLatest } from '#db/migrate.ts';
import { webArgs } from '../../scripts/bundle.js';
import { buildSnapshot, freePort, prefixLines, waitForHttp } from '../../scripts/lib/processes.ts';
import { adminUrl, withDatabase } from '../setup/urls.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { readAnswer } from '#shared/trpc/transformer.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NAME = `mb_e2e_proxy_${randomBytes(4).toString('hex')}`;
const BUILD_DIR = join(ROOT, '.data', `e2e-build-${NAME}`);
const DATABASE_URL = withDatabase(NAME);
const servers: ChildProcess[] = [];
/** What the servers and the set-up said: shown with a failure, where it helps, and not otherwise. */
const serverLog: string[] = [];
let behindProxy: string;
let unconfigured: string;
let account: { merchantNo: string; phone: string };

async function admin(sql: string) {
	const c = new pg.Client({ connectionString: adminUrl() });
	await c.connect();
	try {
		await c.query(sql);
	} finally {
		await c.end();
	}
}

async function startServer(env: Record<string, string>): Promise<string> {
	const port = await freePort();
	const child = spawn(process.execPath, webArgs(BUILD_DIR), {
		cwd: ROOT,
		env: {
			...process.env,
			DATABASE_URL,
			REDIS_PREFIX: `mbe2e:${NAME}`,
			HOST: '127.0.0.1',
			PORT: String(port),
			LOGIN_IP_MAX_FAILURES: '3',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	servers.push(child);
	prefixLines(child.stdout, `[proxy-test ${port}]`, (l) => serverLog.push(l));
	prefixLines(child.stderr, `[proxy-test ${port}]`, (l) => serverLog.push(l));
	const base = `http://127.0.0.1:${port}`;
	await waitForHttp(`${base}/login`, { child, timeoutMs: 30_000 });
	return base;
}

beforeAll(async () => {
	await admin(`CREATE DATABASE ${NAME}`);
	const db = createDb(DATABASE_URL, 2);
	const migrated = vi.spyOn(console, 'log').mockImplementation(() => {});
	try {
		await migrateToLatest(db);
		expect(migrated.mock.calls.map((args) => String(args[0]))).toEqual(expect.arrayContaining([expect.stringMatching(/^migrated 0001_/)]));
		migrated.mockRestore();
		const merchant = await makeMerchant(db, { name: '代理测试商户' });
		const staff = await makeStaff(db, merchant.id, { name: '代理测试员' });
		account = { merchantNo: merchant.merchant_no, phone: staff.phone };
	} finally {
		migrated.mockRestore();
		await db.destroy();
	}
	try {
		// the global setup has built the app already: this copies it
		await buildSnapshot(ROOT, BUILD_DIR, (l) => serverLog.push(`[proxy-test] ${l}`));
		[behindProxy, unconfigured] = await Promise.all([
			startServer({ ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '1', PROTOCOL_HEADER: 'x-forwarded-proto', HOST_HEADER: 'x-forwarded-host' }),
			startServer({})
		]);
	} catch (e) {
		throw new Error(`${(e as Error).message}\n${serverLog.join('\n')}`);
	}
}, 120_000);

beforeEach(({ onTestFailed }) => onTestFailed(() => console.error(`server log:\n${serverLog.join('\n')}`)));

afterAll(async () => {
	await Promise.all(
		servers.map(async (s) => {
			if (s.exitCode !== null) return;
			const exited = new Promise((r) => s.once('exit', r));
			s.kill('SIGTERM');
			const timer = setTimeout(() => s.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		})
	);
	rmSync(BUILD_DIR, { recursive: true, force: true });
	await admin(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
});

/** One sign-in through the proxy, as the proxy forwards it: X-Forwarded-For ends with the client's address. */
async function signIn(base: string, forwardedFor: string, password = 'Wrong#Pass1', extra: Record<string, string> = {}) {
	const res = await fetch(`${base}/api/trpc/auth.signIn`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor, ...extra },
		body: JSON.stringify({ json: { merchantNo: account.merchantNo, phone: account.phone, password } })
	});
	const body = (await res.json()) as { error?: unknown };
	const message = body.error ? readAnswer<{ message: string }>(body.error).message : '';
	return { status: res.status, message, setCookie: res.headers.getSetCookie() };
}

describe('behind a proxy with ADDRESS_HEADER=X-Forwarded-For and XFF_DEPTH=1', () => {
	it('limits failed sign-ins per client address: the 4th from one address waits, another address is not affected', async () => {
		const a = '203.0.113.7';
		const b = '198.51.100.9';
		for (let i = 0; i < 3; i++) expect((await signIn(behindProxy, a)).status, `attempt ${i + 1} from ${a}`).toBe(401);
		const fourth = await signIn(behindProxy, a);
		expect(fourth.status).toBe(429);
		expect(fourth.message).toMatch(/^此网络登录失败次数过多, 请于 .+ 后再试$/);
		// a different client behind the same proxy still gets its own attempts
		const other = await signIn(behindProxy, b);
		expect(other).toMatchObject({ status: 401, message: '商户号、手机号或密码错误' });
	});

	it('an address the client writes into X-Forwarded-For itself does not escape the limit', async () => {
		const a = '203.0.113.8';
		for (let i = 0; i < 3; i++) expect((await signIn(behindProxy, a)).status).toBe(401);
		// the proxy appends the real address after whatever the client sent
		for (const spoofed of ['10.0.0.1', '192.0.2.1, 192.0.2.2', '203.0.113.99'])
			expect((await signIn(behindProxy, `${spoofed}, ${a}`)).status, spoofed).toBe(429);
	});

	it('over https at the proxy: HSTS on pages and the session cookie is __Host-session, Secure, Path=/, no Domain', async () => {
		const viaTls = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mb.example.com' };
		const page = await fetch(`${behindProxy}/login`, { headers: { ...viaTls, 'x-forwarded-for': '192.0.2.50' } });
		expect(page.status).toBe(200);
		expect(page.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
		const ok = await signIn(behindProxy, '192.0.2.50', PASSWORD, viaTls);
		expect(ok.status).toBe(200);
		expect(ok.setCookie).toHaveLength(1);
		const cookie = ok.setCookie[0];
		expect(cookie).toMatch(/^__Host-session=[^;]+;/);
		expect(cookie).toMatch(/; Secure/i);
		expect(cookie).toMatch(/; Path=\//i);
		expect(cookie).not.toMatch(/Domain=/i);

		// plain http at the proxy: no HSTS, and the cookie keeps its plain name and is not Secure
		const viaHttp = { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'mb.example.com' };
		const plain = await fetch(`${behindProxy}/login`, { headers: { ...viaHttp, 'x-forwarded-for': '192.0.2.51' } });
		expect(plain.status).toBe(200);
		expect(plain.headers.get('strict-transport-security')).toBeNull();
		const overHttp = await signIn(behindProxy, '192.0.2.51', PASSWORD, viaHttp);
		expect(overHttp.status).toBe(200);
		expect(overHttp.setCookie).toHaveLength(1);
		expect(overHttp.setCookie[0]).toMatch(/^session=[^;]+;/);
		expect(overHttp.setCookie[0]).not.toMatch(/; Secure/i);
	});
});

describe('behind a proxy without ADDRESS_HEADER (what the setting prevents)', () => {
	it('every client has the proxy’s address, so one client’s failures throttle everyone', async () => {
		for (let i = 0; i < 3; i++) expect((await signIn(unconfigured, '203.0.113.20')).status).toBe(401);
		// a different person, at a different address, is refused without a single attempt of their own
		const stranger = await signIn(unconfigured, '198.51.100.20');
		expect(stranger.status).toBe(429);
	});
});
