// What every keys procedure shares: who acts (for updated_by and the audit log) and how the
// key core's refusals become tRPC errors.
import type { KeyActor } from '$lib/server/keys/store';
import { KeyInputError, KeyNotFoundError } from '$lib/server/keys/errors';
import { appError, fieldError, type ProtectedContext } from '../../init';

export function actorOf(ctx: ProtectedContext): KeyActor {
	return { merchantId: ctx.merchantId, staffId: ctx.staffId, actorName: ctx.auth.staff.name, ip: ctx.ip, userAgent: ctx.userAgent };
}

/**
 * Runs a key-core call: refused input → BAD_REQUEST naming every field; the parse workers full →
 * TOO_MANY_REQUESTS (nothing is wrong with the input; try again); missing (or another merchant's) → NOT_FOUND.
 */
export async function keyCall<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (e) {
		if (e instanceof KeyInputError) {
			if (e.issues.some((i) => i.key === 'keys.parseBusy')) throw appError('TOO_MANY_REQUESTS', 'keys.parseBusy');
			throw fieldError(e.issues);
		}
		if (e instanceof KeyNotFoundError) throw appError('NOT_FOUND', 'error.notFound');
		throw e;
	}
}
