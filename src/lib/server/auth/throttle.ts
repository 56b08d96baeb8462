// Attempt limits that hold whatever the concurrency. An attempt is reserved in Postgres
// (auth_throttle_take, migration 0005) BEFORE the password or code is checked, so however a
// client batches or parallelises its requests, at most `max` secrets are checked per window.
// A refused reservation costs no hashing and no further query. Relative imports only: the
// worker's upkeep job prunes the table.
import { sql } from 'kysely';
import type { Db } from '#db';

export interface Limit {
	max: number;
	windowMs: number;
}

export type Taken = { allowed: true; remaining: number; retryAt: Date | null } | { allowed: false; retryAt: Date };

/** Reserves one attempt under `key`; refused when `limit.max` were already taken this window. */
export async function take(db: Db, key: string, limit: Limit): Promise<Taken> {
	const { rows } = await sql<{ allowed: boolean; remaining: number; retry_at: Date | null }>`
		SELECT allowed, remaining, retry_at FROM auth_throttle_take(${key}, ${limit.max}::int, ${`${Math.ceil(limit.windowMs)} milliseconds`}::interval)`.execute(db);
	const r = rows[0];
	return r.allowed ? { allowed: true, remaining: r.remaining, retryAt: r.retry_at } : { allowed: false, retryAt: r.retry_at! };
}

/** Gives a reserved attempt back (it turned out to be a success, or was never checked). */
export async function giveBack(db: Db, key: string): Promise<void> {
	await sql`UPDATE auth_throttle SET attempts = greatest(attempts - 1, 0), updated_at = now() WHERE key = ${key}`.execute(db);
}

/** Forgets every reservation under `key` (a success that proves the secret: the count starts over). */
export async function clear(db: Db, key: string): Promise<void> {
	await db.deleteFrom('auth_throttle').where('key', '=', key).execute();
}

/** Forgets every key that starts with `prefix` (all addresses' locks on one account). */
export async function clearPrefix(db: Db, prefix: string): Promise<void> {
	await sql`DELETE FROM auth_throttle WHERE starts_with(key, ${prefix})`.execute(db);
}

/** Forgets keys untouched for a day (every window is minutes); run by the hourly upkeep. */
export async function pruneThrottle(db: Db): Promise<number> {
	const r = await db.deleteFrom('auth_throttle').where('updated_at', '<', new Date(Date.now() - 86_400_000)).executeTakeFirst();
	return Number(r.numDeletedRows);
}

/** The keys, in one place so a lock can be found and cleared by whoever needs to. */
export const throttleKeys = {
	/** Every sign-in from one client address, whichever accounts it names. */
	signInAddress: (ip: string) => `signin:ip:${ip}`,
	/** One account (merchant number + phone, known or not) from one address. */
	signInAccountFrom: (merchantNo: string, phone: string, ip: string) => `signin:acct:${merchantNo}:${phone}:${ip}`,
	/** Prefix of all addresses' keys on one account. */
	signInAccount: (merchantNo: string, phone: string) => `signin:acct:${merchantNo}:${phone}:`,
	/** 找回密码 code checks from one address. */
	resetAddress: (ip: string) => `reset:ip:${ip}`,
	/** 找回密码 code checks for one account, from anywhere. */
	resetAccount: (merchantNo: string, phone: string) => `reset:acct:${merchantNo}:${phone}`,
	/** The old-password check of 修改密码 / 修改初始密码. */
	oldPassword: (staffId: bigint) => `pwchange:${staffId}`,
	/** Second-factor codes of one person, from anywhere: sign-in, enrolment, step-up, disabling. */
	secondFactor: (staffId: bigint) => `2fa:${staffId}`,
	/** Password re-entry for step-up. */
	stepUpPassword: (staffId: bigint) => `stepup:${staffId}`
};
