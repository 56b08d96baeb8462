import type { PendingSignIn } from '$lib/server/auth/session';
import type { SessionContext } from '$lib/server/auth/types';

declare global {
	namespace App {
		interface Locals {
			auth: SessionContext | null;
			/** The password was right, the second factor is still to come (auth stays null). */
			pendingSignIn?: PendingSignIn;
			locale: 'zh-CN' | 'en';
			/** Set when the session could not be read because Postgres was down: the request answers 503. */
			outage?: unknown;
		}
		interface Error {
			message: string;
		}
	}
}

export {};
