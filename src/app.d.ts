import type { SessionContext } from '$lib/server/auth/types';

declare global {
	namespace App {
		interface Locals {
			auth: SessionContext | null;
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
