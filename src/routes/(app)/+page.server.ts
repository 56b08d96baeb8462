import { callerFor } from '$lib/server/api/caller';
import type { PageServerLoad } from './$types';

const CHART_DAYS = [7, 30, 90] as const;
type ChartDays = (typeof CHART_DAYS)[number];

export const load: PageServerLoad = async (event) => {
	// The layout already sent a signed-out person to /login.
	if (!event.locals.auth?.permissions.has('accounts.read')) return { canRead: false as const };
	const asked = Number(event.url.searchParams.get('days'));
	const days: ChartDays = CHART_DAYS.find((d) => d === asked) ?? 30;
	const caller = callerFor(event);
	const [summary, inOut] = await Promise.all([caller.accounts.summary(), caller.accounts.dailyInOut({ days })]);
	return { canRead: true as const, accounts: summary.accounts, inOut, days, dayChoices: CHART_DAYS };
};
