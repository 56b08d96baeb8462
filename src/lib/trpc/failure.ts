// What a refused call tells the person: the server's message, which its error formatter has
// already put in their language. A call that got no answer from the API (network down, a proxy's
// own 502/503 page) reads as the catalogue's "unavailable", anything else as the generic error —
// never the browser's or a library's English wording.
import { TRPCClientError } from '@trpc/client';
import type { MessageKey } from '$lib/i18n/messages';

export function failureText(e: unknown, t: (key: MessageKey) => string): string {
	if (e instanceof TRPCClientError) return e.shape && e.message ? e.message : t('error.unavailable');
	return t('error.internal');
}
