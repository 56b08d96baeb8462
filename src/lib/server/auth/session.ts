// Sessions the way Lucia's guide builds them: the cookie holds a random token, the database only
// its SHA-256, so a leaked sessions table cannot be replayed as cookies.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { sql } from 'kysely';
import type { Db } from '#db';
import { effectivePermissions } from '#shared/permissions.ts';
import { executePrepared } from '../prepared.ts';
import { addressAllowed } from './allow-list.ts';
import { sessionAbsoluteMs, sessionIdleMs } from './config.ts';
import { writeSignInLog } from './sign-in-log.ts';
import type { RequestOrigin, SessionContext } from './types.ts';

export interface Session {
	id: string;
	staffId: bigint;
	createdAt: Date;
	expiresAt: Date;
	absoluteExpiresAt: Date;
}

export interface SessionValidation {
	auth: SessionContext;
	/** The idle expiry moved forward: the cookie must be sent again with the new expiry. */
	renewed: boolean;
}

export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** How long a session whose second factor is still to come may wait for the code. */
const PENDING_SECOND_FACTOR_MS = 10 * 60_000;

export async function createSession(
	db: Db,
	staffId: bigint,
	origin: RequestOrigin,
	opts: { secondFactorPending?: boolean } = {}
): Promise<{ token: string; session: Session }> {
	const token = generateSessionToken();
	const now = new Date();
	const pending = opts.secondFactorPending ?? false;
	// A half-signed-in session lives minutes: long enough to open the authenticator app.
	const absoluteExpiresAt = new Date(now.getTime() + (pending ? PENDING_SECOND_FACTOR_MS : sessionAbsoluteMs()));
	const session: Session = {
		id: sessionIdFromToken(token),
		staffId,
		createdAt: now,
		expiresAt: earlier(new Date(now.getTime() + sessionIdleMs()), absoluteExpiresAt),
		absoluteExpiresAt
	};
	// Housekeeping on the way in keeps a person's dead sessions from piling up without a cron job.
	await db.deleteFrom('sessions').where('staff_id', '=', staffId).where('expires_at', '<=', now).execute();
	await db
		.insertInto('sessions')
		.values({
			id: session.id,
			staff_id: staffId,
			created_at: now,
			expires_at: session.expiresAt,
			absolute_expires_at: absoluteExpiresAt,
			ip: origin.ip?.slice(0, 100) ?? null,
			user_agent: origin.userAgent?.slice(0, 500) ?? null,
			second_factor_pending: pending,
			// Every session starts with a check: the password, or the password and the code.
			verified_at: pending ? null : now,
			last_seen_at: now
		})
		.execute();
	return { token, session };
}

interface SessionRow {
	session_id: string;
	expires_at: Date;
	absolute_expires_at: Date;
	staff_id: bigint;
	merchant_id: bigint;
	name: string;
	phone: string;
	email: string | null;
	is_admin: boolean;
	must_change_password: boolean;
	staff_status: 'ACTIVE' | 'DISABLED';
	merchant_no: string;
	merchant_name: string;
	merchant_status: 'ACTIVE' | 'SUSPENDED';
	role_permissions: string[];
	second_factor_pending: boolean;
	verified_at: Date | null;
	last_seen_at: Date;
	require_two_factor: boolean;
	totp_enabled: boolean;
	sign_in_allow_list: string[];
}

/**
 * A session whose password was right and whose second factor is still to come. It is not a
 * signed-in person: it can only be completed with a code or abandoned.
 */
export interface PendingSignIn {
	sessionId: string;
	staffId: bigint;
	merchantId: bigint;
	merchantNo: string;
	name: string;
	phone: string;
	expiresAt: Date;
}

export type ResolvedSession = ({ kind: 'full' } & SessionValidation) | { kind: 'pending'; pending: PendingSignIn };

/** How often "last active" is written at most: one write per few minutes, not per request. */
const LAST_SEEN_STEP_MS = 5 * 60_000;

/**
 * Resolves a cookie token into who is signed in, in one round trip (a prepared statement, see
 * prepared.ts): the session, the person, the merchant and the permissions of the person's
 * ENABLED roles. Null when the session is unknown, idle too long, past its absolute limit, or
 * its person / merchant is switched off, and for a session whose second factor is still
 * pending (see resolveSession).
 */
export async function validateSessionToken(db: Db, token: string): Promise<SessionValidation | null> {
	const r = await resolveSession(db, token);
	return r?.kind === 'full' ? { auth: r.auth, renewed: r.renewed } : null;
}

/**
 * Like validateSessionToken, but also tells a half-signed-in session (second factor pending).
 * With `origin` (the request's, as hooks.server.ts passes it) the merchant's address allow-list
 * applies: a session used from an address outside it is ended and logged.
 */
export async function resolveSession(db: Db, token: string, origin?: RequestOrigin): Promise<ResolvedSession | null> {
	if (!token || token.length > 64) return null;
	const sessionId = sessionIdFromToken(token);
	const rows = await executePrepared(db, sql<SessionRow>`
		SELECT se.id AS session_id, se.expires_at, se.absolute_expires_at,
		       se.second_factor_pending, se.verified_at, se.last_seen_at,
		       s.id AS staff_id, s.merchant_id, s.name, s.phone, s.email, s.is_admin,
		       s.must_change_password, s.status AS staff_status, s.totp_enabled_at IS NOT NULL AS totp_enabled,
		       m.merchant_no, m.name AS merchant_name, m.status AS merchant_status, m.require_two_factor, m.sign_in_allow_list,
		       coalesce(array_agg(DISTINCT p.permission) FILTER (WHERE p.permission IS NOT NULL), '{}') AS role_permissions
		FROM sessions se
		JOIN staff s ON s.id = se.staff_id AND s.deleted_at IS NULL
		JOIN merchants m ON m.id = s.merchant_id
		LEFT JOIN staff_roles sr ON sr.staff_id = s.id AND sr.merchant_id = s.merchant_id
		LEFT JOIN roles r ON r.id = sr.role_id AND r.merchant_id = s.merchant_id AND r.status = 'ENABLED'
		LEFT JOIN LATERAL unnest(r.permissions) AS p(permission) ON true
		WHERE se.id = ${sessionId}
		GROUP BY se.id, s.id, m.id`);
	const row = rows[0];
	if (!row) return null;

	const now = Date.now();
	if (now >= row.expires_at.getTime() || now >= row.absolute_expires_at.getTime()) {
		await invalidateSession(db, sessionId);
		return null;
	}
	if (row.staff_status !== 'ACTIVE' || row.merchant_status !== 'ACTIVE') return null;
	if (origin && !addressAllowed(row.sign_in_allow_list, origin.ip)) {
		// Only the request that actually ends the session logs it (requests at once end it once).
		if ((await db.deleteFrom('sessions').where('id', '=', sessionId).executeTakeFirst()).numDeletedRows > 0n)
			await writeSignInLog(db, { merchantId: row.merchant_id, staffId: row.staff_id, event: 'sessionEnded', ok: false, reason: 'addressNotAllowed', phone: row.phone }, origin);
		return null;
	}

	if (row.second_factor_pending) {
		return {
			kind: 'pending',
			pending: {
				sessionId,
				staffId: row.staff_id,
				merchantId: row.merchant_id,
				merchantNo: row.merchant_no,
				name: row.name,
				phone: row.phone,
				expiresAt: row.expires_at
			}
		};
	}

	let expiresAt = row.expires_at;
	let renewed = false;
	const idle = sessionIdleMs();
	// Slide only once half the idle window is used: one write per ~15 minutes, not per request.
	const slid = earlier(new Date(now + idle), row.absolute_expires_at);
	const slide = expiresAt.getTime() - now < idle / 2 && slid.getTime() > expiresAt.getTime();
	if (slide || now - row.last_seen_at.getTime() >= LAST_SEEN_STEP_MS) {
		await db
			.updateTable('sessions')
			.set({ expires_at: slide ? slid : expiresAt, last_seen_at: new Date(now) })
			.where('id', '=', sessionId)
			.execute();
		if (slide) {
			expiresAt = slid;
			renewed = true;
		}
	}

	// The merchant requires a second factor and this person has none: until they enrol they
	// hold no permission at all (the gate also refuses everything but enrolment by name).
	const mustEnrol = row.require_two_factor && !row.totp_enabled;
	return {
		kind: 'full',
		renewed,
		auth: {
			sessionId,
			staff: {
				id: row.staff_id,
				merchantId: row.merchant_id,
				merchantNo: row.merchant_no,
				merchantName: row.merchant_name,
				name: row.name,
				phone: row.phone,
				email: row.email,
				isAdmin: row.is_admin,
				mustChangePassword: row.must_change_password
			},
			permissions: mustEnrol ? new Set() : effectivePermissions(row.is_admin, row.role_permissions),
			expiresAt,
			absoluteExpiresAt: row.absolute_expires_at,
			verifiedAt: row.verified_at,
			twoFactorEnabled: row.totp_enabled,
			mustEnrolTwoFactor: mustEnrol
		}
	};
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
	await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Signs a person out everywhere: after a password change, when disabled, or when their roles change. */
export async function invalidateStaffSessions(db: Db, staffId: bigint, exceptSessionId?: string): Promise<void> {
	let q = db.deleteFrom('sessions').where('staff_id', '=', staffId);
	if (exceptSessionId) q = q.where('id', '<>', exceptSessionId);
	await q.execute();
}

function earlier(a: Date, b: Date): Date {
	return a.getTime() <= b.getTime() ? a : b;
}
