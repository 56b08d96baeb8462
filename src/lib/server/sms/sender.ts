// The one sender interface. Every message is first a row in sms_outbox (QUEUED); a sender only
// carries it to the phone, and sendSms records what happened, so nothing is lost silently.

export interface SmsMessage {
	/** The sms_outbox row; a gateway can use it to deduplicate a retried message. */
	id: bigint;
	merchantId: bigint | null;
	phone: string;
	body: string;
	purpose: string;
}

export interface SmsSender {
	readonly name: string;
	/** One delivery attempt; throws when the message did not get through. */
	send(msg: SmsMessage): Promise<void>;
	/** Attempts in all, the first included (1 when absent). */
	readonly maxAttempts?: number;
	/** Wait before the retry that follows attempt `attempt` (1-based). */
	backoffMs?(attempt: number): number;
}
