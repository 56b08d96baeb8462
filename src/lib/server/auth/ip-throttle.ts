// The per-address limit on failed sign-ins. The per-account lockout stops guessing one
// account's password; this stops one address trying many accounts (a list of phones against
// common passwords). Relative imports only: the worker's upkeep job prunes the table.
import type { Db } from '../../../../db/index.ts';
import { loginIpMaxFailures, loginIpWindowMs } from './config.ts';

export async function recordIpFailure(db: Db, ip: string): Promise<void> {
	await db.insertInto('sign_in_failures').values({ ip }).execute();
}

/**
 * When this address has failed loginIpMaxFailures times within the window: the moment its
 * oldest counted failure leaves the window. A success does not reset the count (one valid
 * account must not buy an address more guesses at others).
 */
export async function ipThrottledUntil(db: Db, ip: string): Promise<Date | null> {
	const max = loginIpMaxFailures();
	const windowMs = loginIpWindowMs();
	const since = new Date(Date.now() - windowMs);
	const recent = await db
		.selectFrom('sign_in_failures')
		.select('created_at')
		.where('ip', '=', ip)
		.where('created_at', '>', since)
		.orderBy('created_at', 'desc')
		.limit(max)
		.execute();
	if (recent.length < max) return null;
	return new Date(recent[max - 1].created_at.getTime() + windowMs);
}

/** Forgets failures older than a day (the window is minutes); run by the hourly upkeep. */
export async function pruneSignInFailures(db: Db): Promise<number> {
	const r = await db.deleteFrom('sign_in_failures').where('created_at', '<', new Date(Date.now() - 86_400_000)).executeTakeFirst();
	return Number(r.numDeletedRows);
}

