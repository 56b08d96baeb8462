// Two-factor as a person does it: sign in through the auth router (the cookie it sets is the
// next request's session), enrol through 设置 → 二次验证, and read codes off an authenticator
// app, i.e. compute them from the secret the enrolment showed.
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import type { Db } from '#db';
import type { Context } from '#shared/server/api/context.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { resolveSession } from '#shared/server/auth/session.ts';
import { callerFor, contextFor, sessionOf, type RecordedCookie } from '../fixtures/context.ts';
import { PASSWORD } from '../fixtures/merchant.ts';

// A fixed KEK, so the development-key warning does not print and secrets are sealed as in production.
process.env.KEK_CURRENT = 'test1';
process.env.KEKS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

/** The code an authenticator app shows `steps` time steps from now (30 s each). */
export function totpCode(secret: string, steps = 0): string {
	const step = BigInt(Math.floor(Date.now() / 30_000)) + BigInt(steps);
	return generateHOTP(decodeBase32IgnorePadding(secret), step, 6);
}

/** A code for the same key that is none of the codes valid now (for "wrong code"). */
export function wrongCode(secret: string): string {
	const valid = new Set([-1, 0, 1].map((s) => totpCode(secret, s)));
	for (let n = 0; ; n++) {
		const c = String(n).padStart(6, '0');
		if (!valid.has(c)) return c;
	}
}

/** The caller a browser holding `token` (as its session cookie) would get, as hooks.server.ts resolves it. */
export async function browser(db: Db, token: string | null, opts: { ip?: string; cookies?: RecordedCookie[] } = {}) {
	const resolved = token ? await resolveSession(db, token) : null;
	const ctx: Context = {
		...contextFor(db, resolved?.kind === 'full' ? resolved.auth : null, { ip: opts.ip, cookies: opts.cookies }),
		pendingSignIn: resolved?.kind === 'pending' ? resolved.pending : null
	};
	return createCaller(ctx);
}

/** Password sign-in; returns the session cookie it set and what it answered. */
export async function passwordStep(db: Db, who: { merchantNo: string; phone: string }, ip = '203.0.113.7') {
	const cookies: RecordedCookie[] = [];
	const out = await callerFor(db, null, { ip, cookies }).auth.signIn({ merchantNo: who.merchantNo, phone: who.phone, password: PASSWORD });
	return { out, token: cookies.at(-1)!.value };
}

/** Enrols `staffId` from a fresh session of theirs; the secret and the recovery codes it showed. */
export async function enrol(db: Db, staffId: bigint) {
	const { token, auth } = await sessionOf(db, staffId);
	const caller = callerFor(db, auth);
	const started = await caller.settings.twoFactor.start();
	const { recoveryCodes } = await caller.settings.twoFactor.confirm({ code: totpCode(started.secret) });
	return { secret: started.secret, recoveryCodes, token, started };
}
