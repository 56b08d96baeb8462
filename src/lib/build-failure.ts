// What a failed statement or export build says to the person who asked for it. The worker
// writes the cause into the row's `error` column in Postgres's or Node's own words (for the
// operator; the worker's log has it too), and those words never leave the server: the API
// answers a catalogue key instead, and the page shows that key's message.
import { isMessageKey, type MessageKey } from './i18n/messages.ts';

/** null stays null; a stored catalogue key is kept; any other text becomes `fallback`. */
export function buildFailureKey(stored: string | null, fallback: MessageKey): MessageKey | null {
	if (stored === null) return null;
	return isMessageKey(stored) ? stored : fallback;
}
