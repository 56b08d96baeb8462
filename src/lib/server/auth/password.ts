// argon2id with the library's defaults (argon2id, m=19 MiB, t=2, p=1: OWASP's baseline).
import { hash, verify } from '@node-rs/argon2';

export function hashPassword(password: string): Promise<string> {
	return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		// A malformed stored hash must read as a wrong password, never as a crash or a pass.
		return false;
	}
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
