// The sign-in log: sign-in attempts and unauthenticated 找回密码 events, kept apart from the
// merchant's append-only audit log (anyone who knows a merchant number can cause them) and
// pruned after SIGN_IN_LOG_DAYS. Rows are bounded by the attempt limits: a refused reservation
// writes nothing. Relative imports only: the upkeep job prunes it.
import type { Db } from '#db';
import { maskPhone } from '../mask.ts';
import { positiveInt } from './config.ts';
import type { RequestOrigin } from './types.ts';

export interface SignInLogEntry {
	merchantId: bigint | null;
	staffId: bigint | null;
	event: 'signIn' | 'resetCodeRequest' | 'reset' | 'secondFactor' | 'newDeviceAlert' | 'sessionEnded';
	ok: boolean;
	/** Why it failed: badPassword, unknownAccount, locked, staffDisabled, invalidCode… */
	reason?: string | null;
	phone: string;
}

export async function writeSignInLog(db: Db, entry: SignInLogEntry, origin: RequestOrigin): Promise<void> {
	await db
		.insertInto('sign_in_log')
		.values({
			merchant_id: entry.merchantId,
			staff_id: entry.staffId,
			event: entry.event,
			ok: entry.ok,
			reason: entry.reason?.slice(0, 40) ?? null,
			phone: maskPhone(entry.phone).slice(0, 20),
			ip: origin.ip?.slice(0, 100) ?? null,
			user_agent: origin.userAgent?.slice(0, 500) ?? null
		})
		.execute();
}

export function signInLogDays(): number {
	return positiveInt('SIGN_IN_LOG_DAYS', 180);
}

/** Deletes rows older than SIGN_IN_LOG_DAYS (default 180: long enough to tell a new device). */
export async function pruneSignInLog(db: Db): Promise<number> {
	const r = await db
		.deleteFrom('sign_in_log')
		.where('created_at', '<', new Date(Date.now() - signInLogDays() * 86_400_000))
		.executeTakeFirst();
	return Number(r.numDeletedRows);
}
