import type { SessionContext } from '$lib/server/auth/session';

declare global {
	namespace App {
		interface Locals {
			auth: SessionContext | null;
			locale: 'zh-CN' | 'en';
		}
		interface Error {
			message: string;
		}
	}
}

export {};
