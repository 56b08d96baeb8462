// argon2id with the library's defaults (argon2id, m=19 MiB, t=2, p=1: OWASP's baseline).
// Every hash and check passes one gate: at most HASH_CONCURRENCY run at once (they occupy
// libuv's thread pool, which file and DNS work share) and at most HASH_QUEUE wait; past that
// the caller is told the service is busy at once instead of queueing without bound. Callers
// never hash while holding a pooled connection or a transaction open.
import { hash, verify } from '@node-rs/argon2';
import { DomainError } from '../domain-error.ts';
import { positiveInt } from './config.ts';

/** Thrown when the hashing gate is full: TOO_MANY_REQUESTS (auth.busy), try again. */
export class HashingBusyError extends DomainError {
	constructor() {
		super('TOO_MANY_REQUESTS', 'auth.busy', { message: 'password hashing is saturated' });
	}
}

let running = 0;
const waiting: (() => void)[] = [];

async function gated<T>(work: () => Promise<T>): Promise<T> {
	if (running >= positiveInt('HASH_CONCURRENCY', 2)) {
		if (waiting.length >= positiveInt('HASH_QUEUE', 32)) throw new HashingBusyError();
		await new Promise<void>((resolve) => waiting.push(resolve));
	} else {
		running++;
	}
	try {
		return await work();
	} finally {
		// Hand the slot straight to the next waiter (running stays the same), or free it.
		const next = waiting.shift();
		if (next) next();
		else running--;
	}
}

export function hashPassword(password: string): Promise<string> {
	return gated(() => hash(password));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	return gated(async () => {
		try {
			return await verify(passwordHash, password);
		} catch {
			// A malformed stored hash must read as a wrong password, never as a crash or a pass.
			return false;
		}
	});
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same work as a real check when there is no account to check against, so the
 * answer time does not tell whether a merchant number / phone exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
	dummy ??= hash('dummy-password-for-timing-only');
	await verifyPassword(await dummy, password);
	return false;
}
