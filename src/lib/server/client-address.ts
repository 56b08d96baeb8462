import type { RequestEvent } from '@sveltejs/kit';

/**
 * The client's address as adapter-node resolves it (ADDRESS_HEADER / XFF_DEPTH behind a proxy),
 * or null where the adapter or a test harness cannot tell: sessions, audit lines and the sign-in
 * log still work without it.
 */
export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string | null {
	try {
		return event.getClientAddress();
	} catch {
		return null;
	}
}
