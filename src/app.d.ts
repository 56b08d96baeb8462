import type { SessionContext } from '$lib/server/auth/types';

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
