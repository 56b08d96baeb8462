import { KEY_PERMISSIONS } from '$lib/menu';
import { callerFor } from '$lib/server/api/caller';
import type { PageServerLoad } from './$types';

const CHART_DAYS = [7, 30, 90] as const;
type ChartDays = (typeof CHART_DAYS)[number];

export const load: PageServerLoad = async (event) => {
	// The layout already sent a signed-out person to /login.
	const permissions = event.locals.auth?.permissions;
	const caller = callerFor(event);
	// WeChat certificates near 证书失效时间 warn whoever looks after the keys.
	const expiringCerts = KEY_PERMISSIONS.some((p) => permissions?.has(p))
		? (await caller.keys.expiring()).map((k) => ({ id: k.id, mchId: k.externalId, validTo: k.validTo, expired: k.expired }))
		: [];
	if (!permissions?.has('accounts.read')) return { canRead: false as const, expiringCerts };
	const asked = Number(event.url.searchParams.get('days'));
	const days: ChartDays = CHART_DAYS.find((d) => d === asked) ?? 30;
	const [summary, inOut] = await Promise.all([caller.accounts.summary(), caller.accounts.dailyInOut({ days })]);
	return { canRead: true as const, accounts: summary.accounts, inOut, days, dayChoices: CHART_DAYS, expiringCerts };
};
