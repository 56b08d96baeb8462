import { error } from '@sveltejs/kit';
import { callerFor } from '$lib/server/api/caller';
import type { PageServerLoad } from './$types';

export type KeysTab = 'wechat' | 'alipay' | 'platform';

// Helps the UI only: each procedure checks its own permission again.
export const load: PageServerLoad = async (event) => {
	const has = (p: Parameters<NonNullable<typeof event.locals.auth>['permissions']['has']>[0]) => event.locals.auth?.permissions.has(p) ?? false;
	const can = {
		wechat: has('keys.wechat.write'),
		alipay: has('keys.alipay.write'),
		platform: has('keys.platform.write'),
		list: has('keys.list.read')
	};
	const tabs: KeysTab[] = [];
	if (can.wechat || can.list) tabs.push('wechat');
	if (can.alipay || can.list) tabs.push('alipay');
	if (can.platform) tabs.push('platform');
	if (!tabs.length) error(403, 'error.forbidden');

	const caller = callerFor(event);
	const [wechat, alipay, platform, wechatColumns, alipayColumns] = await Promise.all([
		can.wechat ? caller.keys.wechat.list() : can.list ? caller.keys.list({ provider: 'WECHAT' }) : null,
		can.alipay ? caller.keys.alipay.list() : can.list ? caller.keys.list({ provider: 'ALIPAY' }) : null,
		can.platform ? caller.keys.platform.get() : null,
		// 筛选列: each table's chosen columns, or null for all.
		caller.settings.getColumns({ list: 'wechatKeys' }).catch(() => null),
		caller.settings.getColumns({ list: 'alipayKeys' }).catch(() => null)
	]);
	const asked = event.url.searchParams.get('tab');
	const tab = tabs.find((t) => t === asked) ?? tabs[0]!;
	return { tabs, tab, can, wechat, alipay, platform, savedColumns: { wechat: wechatColumns, alipay: alipayColumns } };
};
