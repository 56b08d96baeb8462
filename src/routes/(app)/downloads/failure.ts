// What a refused request on the downloads pages tells the person: the server's message, which
// its error formatter has already translated; a network failure or anything else that is not
// an answer from the API reads as the catalogue's generic error, not the browser's wording.
import { TRPCClientError } from '@trpc/client';
import type { MessageKey } from '$lib/i18n/messages';

export function requestFailure(e: unknown, t: (key: MessageKey) => string): string {
	return e instanceof TRPCClientError && e.shape && e.message ? e.message : t('error.internal');
}
