// One sign-in through the auth router from a client address, as the browser would make it: what
// it answered and the cookies it set.
import { TRPCError } from '@trpc/server';
import type { Db } from '#db';
import { callerFor, type RecordedCookie } from '../fixtures/context.ts';

export async function signInFrom(db: Db, ip: string, input: { merchantNo: string; phone: string; password: string }) {
	const cookies: RecordedCookie[] = [];
	try {
		const out = await callerFor(db, null, { ip, cookies }).auth.signIn(input);
		return { ok: true as const, out, cookies };
	} catch (e) {
		if (!(e instanceof TRPCError)) throw e;
		return { ok: false as const, error: e, cookies };
	}
}
