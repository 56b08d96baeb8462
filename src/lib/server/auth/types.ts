import type { Permission } from '#shared/permissions.ts';

/** Who is signed in, resolved once per request by hooks.server.ts. */
export interface SessionContext {
	sessionId: string;
	staff: {
		id: bigint;
		merchantId: bigint;
		merchantNo: string;
		merchantName: string;
		name: string;
		phone: string;
		email: string | null;
		isAdmin: boolean;
		mustChangePassword: boolean;
	};
	permissions: ReadonlySet<Permission>;
	expiresAt: Date;
	/** The hard end of the session, whatever the activity (SESSION_ABSOLUTE_HOURS). */
	absoluteExpiresAt?: Date;
	/**
	 * The last password or second-factor check in this session; step-up procedures need one
	 * within the last few minutes. Absent (a context made without a session row) never counts.
	 */
	verifiedAt?: Date | null;
	twoFactorEnabled?: boolean;
	/** The merchant requires a second factor and this person has none yet: only enrolment works. */
	mustEnrolTwoFactor?: boolean;
}

/** Where a request came from; written to the session row and the audit log. */
export interface RequestOrigin {
	ip: string | null;
	userAgent: string | null;
}
