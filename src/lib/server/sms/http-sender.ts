// Posts each message as JSON to an SMS gateway (SMS_GATEWAY_URL, optional bearer SMS_GATEWAY_TOKEN).
// Each attempt has its own timeout; sendSms retries with backoff and records the outcome.
import type { SmsMessage, SmsSender } from './sender.ts';

export interface HttpSmsSenderOptions {
	url: string;
	token?: string | null;
	timeoutMs?: number;
	maxAttempts?: number;
	/** Backoff before retry n is baseBackoffMs · 2^(n-1). */
	baseBackoffMs?: number;
}

export class HttpSmsSender implements SmsSender {
	readonly name = 'http';
	readonly maxAttempts: number;
	private readonly timeoutMs: number;
	private readonly baseBackoffMs: number;

	constructor(private readonly opts: HttpSmsSenderOptions) {
		this.timeoutMs = opts.timeoutMs ?? 5_000;
		this.maxAttempts = opts.maxAttempts ?? 3;
		this.baseBackoffMs = opts.baseBackoffMs ?? 500;
	}

	backoffMs(attempt: number): number {
		return this.baseBackoffMs * 2 ** (attempt - 1);
	}

	async send(msg: SmsMessage): Promise<void> {
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
		let response: Response;
		try {
			response = await fetch(this.opts.url, {
				method: 'POST',
				headers,
				body: JSON.stringify({ id: String(msg.id), phone: msg.phone, body: msg.body, purpose: msg.purpose }),
				signal: AbortSignal.timeout(this.timeoutMs)
			});
		} catch (error) {
			if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
				throw new Error(`gateway timed out after ${this.timeoutMs} ms`);
			throw new Error(`gateway unreachable: ${error instanceof Error ? error.message : String(error)}`);
		}
		if (!response.ok) {
			const text = (await response.text().catch(() => '')).slice(0, 200);
			throw new Error(`gateway answered HTTP ${response.status}${text ? `: ${text}` : ''}`);
		}
		// Drain the body so the connection is reused.
		await response.arrayBuffer().catch(() => undefined);
	}
}
