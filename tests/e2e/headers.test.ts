// The built app under its Content-Security-Policy (kit.csp in svelte.config.js): every screen
// renders and works with no violation, SvelteKit's own inline script carries the response's
// nonce, and a script an attacker gets into the page does not run.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeBrowser, launchBrowser, newPage, signIn } from './helpers.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
	browser = await launchBrowser();
});
afterAll(async () => {
	await closeBrowser(browser);
});

/** Records every CSP violation the page reports, from its first script on. */
async function watchViolations(page: Page): Promise<string[]> {
	const seen: string[] = [];
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
	});
	await page.exposeFunction('__cspViolation', (s: string) => seen.push(s));
	await page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) =>
			(window as unknown as { __cspViolation: (s: string) => void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)
		);
	});
	return seen;
}

function directives(policy: string): Map<string, string[]> {
	return new Map(
		policy
			.split(';')
			.map((d) => d.trim().split(/\s+/))
			.filter((d) => d[0])
			.map(([name, ...values]) => [name, values])
	);
}

const SCREENS = [
	'/',
	'/accounts/flows',
	'/trade/payments',
	'/trade/refunds',
	'/trade/withdrawals',
	'/trade/flows',
	'/users',
	'/downloads/statements',
	'/downloads/exports',
	'/params/keys',
	'/admin/operators',
	'/admin/roles',
	'/admin/audit',
	'/settings/profile',
	'/settings/password'
];

describe('Content-Security-Policy', () => {
	it('every page is sent with a nonce policy that forbids framing, plugins and foreign form targets', async () => {
		const res = await fetch(`${baseUrl}/login`);
		const policy = res.headers.get('content-security-policy') ?? '';
		const d = directives(policy);
		const nonce = d.get('script-src')?.find((v) => v.startsWith("'nonce-"));
		expect(nonce, policy).toBeTruthy();
		expect(d.get('script-src')).not.toContain("'unsafe-inline'");
		expect(d.get('script-src')).not.toContain("'unsafe-eval'");
		expect(d.get('default-src')).toEqual(["'self'"]);
		expect(d.get('frame-ancestors')).toEqual(["'none'"]);
		expect(d.get('object-src')).toEqual(["'none'"]);
		expect(d.get('base-uri')).toEqual(["'self'"]);
		expect(d.get('form-action')).toEqual(["'self'"]);
		// SvelteKit's inline bootstrap script is the one carrying it; no inline script goes without
		const html = await res.text();
		const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
		expect(inline.length).toBeGreaterThan(0);
		for (const attrs of inline) expect(attrs).toContain(`nonce="${nonce!.slice(7, -1)}"`);
		// and it is fresh for each response
		const again = directives((await fetch(`${baseUrl}/login`)).headers.get('content-security-policy') ?? '');
		expect(again.get('script-src')).not.toContain(nonce);
	});

	it('signs in and renders every screen with no CSP violation', async () => {
		const page = await newPage(browser, baseUrl);
		const violations = await watchViolations(page);
		await page.goto('/login');
		await page.waitForLoadState('networkidle');
		await signIn(page);
		for (const path of SCREENS) {
			const res = await page.goto(path);
			expect(res?.status(), path).toBe(200);
			expect(new URL(page.url()).pathname, path).toBe(path);
			await page.waitForLoadState('networkidle');
			// the page is hydrated and interactive, not a server-rendered shell
			await expect.poll(() => page.locator('main, [role="main"], h1, h2').count(), { timeout: 10_000 }).toBeGreaterThan(0);
			const headers = res!.headers();
			expect(headers['cache-control'], path).toBe('private, no-store');
			expect(headers['strict-transport-security'], path).toBeUndefined();
		}
		expect(violations).toEqual([]);
		await page.context().close();
	});

	it('a script an attacker gets into the page does not run', async () => {
		const page = await newPage(browser, baseUrl);
		const violations = await watchViolations(page);
		await page.goto('/login');
		await page.waitForLoadState('networkidle');
		const ran = await page.evaluate(async () => {
			const s = document.createElement('script');
			s.textContent = 'window.__injected = true';
			document.body.appendChild(s);
			await new Promise((r) => setTimeout(r, 100));
			return (window as unknown as { __injected?: boolean }).__injected === true;
		});
		expect(ran).toBe(false);
		await expect.poll(() => violations.length, { timeout: 5_000 }).toBeGreaterThan(0);
		await page.context().close();
	});
});

describe('cross-site form posts', () => {
	it('a form on another site posting to 退出 is refused with a message in the person\'s language, and they stay signed in', async () => {
		const page = await newPage(browser, baseUrl);
		await page.goto('/login');
		await signIn(page);
		// The attacker's page, served from its own origin, submits a form to our sign-out.
		await page.route('http://attacker.test/**', (route) =>
			route.fulfill({
				contentType: 'text/html',
				body: `<form method="post" action="${baseUrl}/logout"><button>go</button></form><script>document.forms[0].submit()</script>`
			})
		);
		const refused = page.waitForResponse((r) => r.url() === `${baseUrl}/logout`);
		await page.goto('http://attacker.test/');
		const res = await refused;
		expect(res.status()).toBe(403);
		expect(await res.text()).toBe('禁止跨站提交表单, 请在本站页面内操作');
		await page.goto('/settings/profile');
		expect(new URL(page.url()).pathname).toBe('/settings/profile');
		await page.context().close();
	});

	it('answers in English for an English reader, as JSON when JSON is asked for, and lets the site\'s own forms through', async () => {
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		const en = await fetch(`${baseUrl}/logout`, { method: 'POST', redirect: 'manual', headers: { ...form, origin: 'http://attacker.test', cookie: 'locale=en' }, body: 'a=1' });
		expect(en.status).toBe(403);
		expect(await en.text()).toBe("Forms cannot be submitted from another site; please use this site's pages");
		const noOrigin = await fetch(`${baseUrl}/logout`, { method: 'POST', redirect: 'manual', headers: { ...form, accept: 'application/json' }, body: 'a=1' });
		expect(noOrigin.status).toBe(403);
		expect(await noOrigin.json()).toEqual({ message: '禁止跨站提交表单, 请在本站页面内操作' });
		const own = await fetch(`${baseUrl}/logout`, { method: 'POST', redirect: 'manual', headers: { ...form, origin: new URL(baseUrl).origin }, body: 'a=1' });
		expect(own.status).toBe(303);
		expect(own.headers.get('location')).toBe('/login');
	});
});
