// The built-in sender: the sms_outbox row is the delivery. Demo and development read messages
// there (and on the sign-in page in demo mode); the server log gets one line per message.
import { activeLog } from '../log.ts';
import { maskPhone } from '../mask.ts';
import type { SmsMessage, SmsSender } from './sender.ts';

export class OutboxSmsSender implements SmsSender {
	readonly name = 'outbox';
	readonly maxAttempts = 1;

	// Through the logger (JSON, request id, silent in tests), not straight to the console.
	constructor(private readonly log: (line: string) => void = (line) => activeLog().info(line)) {}

	async send(msg: SmsMessage): Promise<void> {
		// The body may hold a code or a password: the log names the message, never its text.
		this.log(`[sms] outbox #${msg.id} ${msg.purpose} to ${maskPhone(msg.phone)}`);
	}
}

