import type { Permission } from '$lib/permissions';

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
}
