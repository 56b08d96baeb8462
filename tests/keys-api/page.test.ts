// /params/keys and the home page as their load functions see them: each person gets the tabs
// (and the lists) their permissions allow, and the certificate warning only with a keys permission.
import type { RequestEvent } from '@sveltejs/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import type { Permission } from '#shared/permissions.ts';
import type { PaymentKeyView, PlatformKeyView } from '#shared/schemas/keys.ts';
import { load as homeLoad } from '../../src/routes/(app)/+page.server.ts';
import { load as keysLoad } from '../../src/routes/(app)/params/keys/+page.server.ts';
import { saveWechatKey } from '#shared/server/keys/payment-keys.ts';
import { API_KEY, makeP12, merchantWithStaff, WECHAT_APPID, WECHAT_MCH_ID } from '../keys/fixtures.ts';
import { contextOf, type Person } from './context.ts';

const db = getDb();
let m: Person;

beforeAll(async () => {
	const made = await merchantWithStaff(db, '页面测试');
	m = made;
	const p12 = makeP12({ mchId: WECHAT_MCH_ID, password: WECHAT_MCH_ID, notAfter: new Date(Date.now() + 5 * 86_400_000), keyLabel: 'page' });
	await saveWechatKey(db, made.actor, { mchId: WECHAT_MCH_ID, appid: WECHAT_APPID, signType: 'RSA2', apiKey: API_KEY, certP12Base64: p12.toString('base64') });
});

function eventFor(permissions: readonly Permission[], path = '/params/keys') {
	const ctx = contextOf(db, m, permissions);
	return {
		locals: { auth: ctx.auth, locale: 'zh-CN' },
		url: new URL(`http://test${path}`),
		request: new Request(`http://test${path}`),
		cookies: { set() {}, get: () => undefined, delete() {} },
		getClientAddress: () => '203.0.113.1'
	} as unknown as RequestEvent;
}

interface KeysPage {
	tabs: string[];
	tab: string;
	can: Record<string, boolean>;
	wechat: PaymentKeyView[] | null;
	alipay: PaymentKeyView[] | null;
	platform: PlatformKeyView | null;
}
const loadKeys = (perms: readonly Permission[], path?: string) => keysLoad(eventFor(perms, path) as never) as unknown as Promise<KeysPage>;

describe('/params/keys', () => {
	it('shows only the tabs the person may see, with the lists they may read', async () => {
		const reader = await loadKeys(['keys.list.read']);
		expect(reader.tabs).toEqual(['wechat', 'alipay']);
		expect(reader.can).toEqual({ wechat: false, alipay: false, platform: false, list: true });
		expect(reader.wechat?.map((k) => k.externalId)).toEqual([WECHAT_MCH_ID]);
		expect(reader.platform).toBeNull();

		const platformOnly = await loadKeys(['keys.platform.write']);
		expect(platformOnly.tabs).toEqual(['platform']);
		expect(platformOnly.wechat).toBeNull();
		expect(platformOnly.platform?.merchantNo).toBe(m.merchantNo);

		const wechatWriter = await loadKeys(['keys.wechat.write'], '/params/keys?tab=platform');
		expect(wechatWriter.tabs).toEqual(['wechat']);
		// A tab the person cannot see falls back to the first one they can.
		expect(wechatWriter.tab).toBe('wechat');
		expect(wechatWriter.wechat?.[0]?.expiresSoon).toBe(true);
	});

	it('refuses a person without any keys permission', async () => {
		await expect(loadKeys(['payments.read'])).rejects.toMatchObject({ status: 403 });
	});
});

describe('home page certificate warning', () => {
	it('lists the expiring WeChat certificate for keys people only', async () => {
		const withKeys = (await homeLoad(eventFor(['keys.alipay.write'], '/') as never)) as { expiringCerts: { mchId: string; expired: boolean }[] };
		expect(withKeys.expiringCerts).toEqual([expect.objectContaining({ mchId: WECHAT_MCH_ID, expired: false })]);
		const without = (await homeLoad(eventFor(['payments.read'], '/') as never)) as { expiringCerts: unknown[] };
		expect(without.expiringCerts).toEqual([]);
	});
});
