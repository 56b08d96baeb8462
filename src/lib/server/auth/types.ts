import type { Permission } from '../../permissions.ts';

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
}

/** Where a request came from; written to the session row and the audit log. */
export interface RequestOrigin {
	ip: string | null;
	userAgent: string | null;
}
